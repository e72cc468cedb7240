namespace ChatDesk.Server.Kpis;

/// <summary>
/// One conversation's facts as stored for the dashboard (kpi_conversations): <see cref="ConversationFacts"/>
/// reduced to the durations in seconds and the attributions the KPIs need. Derived from the event log by
/// <see cref="KpiProjection"/>; settings (thresholds, repeat window, wrap-up cap) apply at query time.
/// </summary>
public sealed class KpiConversationRow
{
    public Guid ConversationId { get; set; }
    public Guid SiteId { get; set; }
    public Guid VisitorId { get; set; }
    public Guid? SkillId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedBy { get; set; }
    public double? WaitSeconds { get; set; }
    public double? FrtSeconds { get; set; }
    public double? DurationSeconds { get; set; }

    /// <summary>From the end to the wrap-up, before the cap of an automatic wrap-up.</summary>
    public double? AcwRawSeconds { get; set; }

    public bool WrapUpAuto { get; set; }

    /// <summary>After-chat work as the KPIs count it: capped at the site's wrap-up timeout when it completed itself.</summary>
    public double? AcwSeconds { get; set; }

    /// <summary>Handle time of an answered, wrapped-up conversation: every engaged interval plus <see cref="AcwSeconds"/>.</summary>
    public double? HandleSeconds { get; set; }

    /// <summary>Sum of every operator's engaged intervals.</summary>
    public double EngagedSeconds { get; set; }

    public string? FirstResponder { get; set; }
    public string? OwnerAtEnd { get; set; }
    public string? Disposition { get; set; }
    public bool Resolved { get; set; }
    public int Transfers { get; set; }
    public bool HasSurvey { get; set; }
    public short? Csat { get; set; }
    public short? Nps { get; set; }
    public short? Ces { get; set; }
    public bool? SurveyResolved { get; set; }

    /// <summary>When the same visitor next started a conversation after this one ended (for FCR).</summary>
    public DateTimeOffset? NextRequestAt { get; set; }
}

/// <summary>One operator's part in a conversation (kpi_conversation_operators), for attribution.</summary>
public sealed class KpiConversationOperatorRow
{
    public Guid ConversationId { get; set; }
    public required string OperatorId { get; set; }
    public Guid SiteId { get; set; }
    public Guid? SkillId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>Had an engaged interval (the operator list of the conversation).</summary>
    public bool TookPart { get; set; }

    public bool IsOwner { get; set; }
    public bool Answered { get; set; }
    public double EngagedSeconds { get; set; }
    public double? AcwRawSeconds { get; set; }
    public bool WrapUpAuto { get; set; }
    public bool TransferredAway { get; set; }
}

/// <summary>A span an operator was busy with a conversation: engaged, or the owner's after-chat work.</summary>
public sealed class KpiBusyIntervalRow
{
    public Guid ConversationId { get; set; }
    public int Ordinal { get; set; }
    public Guid SiteId { get; set; }
    public Guid? SkillId { get; set; }
    public required string OperatorId { get; set; }
    public DateTimeOffset FromAt { get; set; }
    public DateTimeOffset ToAt { get; set; }
}

/// <summary>Union of an operator's busy time on one local day of a site, for one skill or all (<see cref="AllSkills"/>).</summary>
public sealed class KpiBusyDayRow
{
    public static readonly Guid AllSkills = Guid.Empty;

    public Guid SiteId { get; set; }
    public required string OperatorId { get; set; }
    public Guid SkillId { get; set; }
    public DateOnly Day { get; set; }
    public double BusySeconds { get; set; }
}

/// <summary>
/// A change that makes a conversation's derived rows out of date (queued by the events trigger, one row per change,
/// so that a change committed while a catch-up reads the conversation keeps its row for the next catch-up).
/// </summary>
public sealed class KpiDirtyConversation
{
    public long Id { get; set; }
    public Guid ConversationId { get; set; }
}

/// <summary>
/// One day's rollup (kpi_daily) for a site, skill (<see cref="KpiBusyDayRow.AllSkills"/>: every skill) and operator
/// (<see cref="KpiDaily.Team"/>: the team); the arrays are laid out by <see cref="DailyCount"/>, <see cref="DailyDuration"/>
/// and <see cref="DailyScore"/>. Written and read in SQL by <see cref="KpiProjection"/> and <see cref="KpiService"/>.
/// </summary>
public sealed class KpiDailyRow
{
    public Guid SiteId { get; set; }
    public Guid SkillKey { get; set; }
    public DateOnly Day { get; set; }
    public required string OperatorId { get; set; }
    public required int[] Counts { get; set; }
    public required int[] DurationCounts { get; set; }
    public required double[] DurationSums { get; set; }
    public required double[] ScoreSums { get; set; }
    public int[]? Hours { get; set; }
    public int[]? FrtHist { get; set; }
    public int[]? AsaHist { get; set; }
    public int[]? AtaHist { get; set; }
    public int[]? AhtHist { get; set; }
    public int[]? AcwHist { get; set; }
    public int[]? ResolutionHist { get; set; }
}

/// <summary>The settings a site's daily rollups were computed with (<see cref="KpiDaily.Stamp"/>).</summary>
public sealed class KpiDailyStamp
{
    public Guid SiteId { get; set; }
    public required string Stamp { get; set; }
}
