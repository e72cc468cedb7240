namespace ChatDesk.Server.Widget;

/// <summary>A customer website that embeds the widget.</summary>
public sealed class Site
{
    public Guid Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }

    /// <summary>Origins (scheme://host[:port]) allowed to embed the widget and open chats.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Offer each chat to one operator who accepts or declines, instead of assigning it.</summary>
    public bool OfferMode { get; set; }

    public int RingTimeoutSeconds { get; set; } = 30;

    /// <summary>Ask for the visitor's language skill (lang-xx) too.</summary>
    public bool RouteByLanguage { get; set; }

    /// <summary>Operators see the visitor's draft as they type (the widget says so).</summary>
    public bool TypingPreview { get; set; } = true;

    /// <summary>After-chat work left open this long is completed automatically.</summary>
    public int WrapUpTimeoutSeconds { get; set; } = 120;

    /// <summary>Which end-of-session questions the site asks (csat, nps, ces, resolved, comment).</summary>
    public List<string> SurveyQuestions { get; set; } = [.. ChatDesk.Server.Surveys.SurveyQuestions.All];

    public int FcrRepeatWindowHours { get; set; } = 24;
    public int ServiceLevelSeconds { get; set; } = 30;

    /// <summary>Abandons this quick are counted but left out of abandonment rate and service level; 0 = off.</summary>
    public int ShortAbandonSeconds { get; set; }

    /// <summary>Largest file visitors and operators may send in a chat.</summary>
    public long MaxFileBytes { get; set; } = Files.FileTypes.DefaultMaxBytes;

    /// <summary>File extensions that may be sent (each a kind of <see cref="Files.FileTypes.Known"/>, checked by content too).</summary>
    public List<string> AllowedFileTypes { get; set; } = [.. Files.FileTypes.DefaultAllowed];

    /// <summary>Keep co-browse recordings after the session ends (off: nothing of the page outlives the session).</summary>
    public bool CobrowseKeepRecording { get; set; }

    /// <summary>Null: always open.</summary>
    public Routing.BusinessHours? BusinessHours { get; set; }

    /// <summary>A disabled site's widget says the chat is closed; nothing of it is deleted.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>Languages the widget offers; the first is the default.</summary>
    public List<string> Languages { get; set; } = ["en", "fr"];

    /// <summary>Miss a chat at once when the only operators with its skill are away (off: it waits for them).</summary>
    public bool MissWhenOnlyAway { get; set; }

    /// <summary>Days after which an ended conversation's messages, files and co-browse data are deleted; null keeps them.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>Offline messages are e-mailed here (when SMTP is configured); null: they are only shown in the console.</summary>
    public string? InboxEmail { get; set; }

    /// <summary>Incremented by every admin change; an update naming an older version is refused (someone saved in between).</summary>
    public int Version { get; set; } = 1;

    public bool AllowsOrigin(string? origin) => SiteOrigins.Allows(AllowedOrigins, origin);
}

/// <summary>A pre-chat topic the visitor picks; it maps to the skill routing asks for.</summary>
public sealed class SiteTopic
{
    public Guid Id { get; set; }
    public Guid SiteId { get; set; }
    public required string Key { get; set; }
    public Guid SkillId { get; set; }
    public required string LabelEn { get; set; }
    public required string LabelFr { get; set; }
    public int SortOrder { get; set; }

    /// <summary>Chats on a higher-priority topic jump ahead of lower ones in the queue.</summary>
    public int Priority { get; set; }

    public string Label(string? language) => language == "fr" ? LabelFr : LabelEn;
}

public sealed class Visitor
{
    public Guid Id { get; set; }
    public Guid SiteId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class SitePageRule
{
    public Guid Id { get; set; }
    public Guid SiteId { get; set; }
    public required string UrlPattern { get; set; }
    public Guid SkillId { get; set; }
}
