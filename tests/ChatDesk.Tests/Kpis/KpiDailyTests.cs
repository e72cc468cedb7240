using ChatDesk.Server.Kpis;

namespace ChatDesk.Tests.Kpis;

/// <summary>The daily rollups' pure parts: buckets, locating a rank, and a day's figures worked out by hand.</summary>
public sealed class KpiDailyTests
{
    private static readonly KpiSettings Settings = new(TimeSpan.FromHours(24), ServiceLevelSeconds: 30, ShortAbandonSeconds: 10, WrapUpTimeoutSeconds: 120);
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Theory]
    [InlineData(-3.0, 0)]
    [InlineData(0.0, 0)]
    [InlineData(0.999999, 0)]
    [InlineData(1.0, 1)]
    [InlineData(119.5, 119)]
    [InlineData(120.0, 120)]
    [InlineData(124.99, 120)]
    [InlineData(125.0, 121)]
    [InlineData(600.0, 216)]
    [InlineData(3599.0, 365)]
    [InlineData(3600.0, 366)]
    [InlineData(10_000_000.0, 641)]
    public void A_value_falls_in_the_bucket_of_the_last_edge_at_or_below_it(double seconds, int bucket)
    {
        Assert.Equal(bucket, KpiDaily.Bucket(seconds));
        Assert.True(seconds >= KpiDaily.LowerBound(bucket));
        if (bucket + 1 < KpiDaily.Edges.Length)
            Assert.True(seconds < KpiDaily.LowerBound(bucket + 1));
    }

    [Fact]
    public void Edges_rise_strictly_so_each_bucket_is_a_range()
    {
        Assert.Equal(0, KpiDaily.Edges[0]);
        Assert.All(KpiDaily.Edges.Zip(KpiDaily.Edges.Skip(1)), pair => Assert.True(pair.First < pair.Second));
    }

    [Fact]
    public void A_rank_is_located_in_its_bucket_with_the_values_before_it_in_that_bucket()
    {
        int[] histogram = [2, 0, 3, 1];
        Assert.Equal((0, 0), KpiDaily.Locate(histogram, 0));
        Assert.Equal((0, 1), KpiDaily.Locate(histogram, 1));
        Assert.Equal((2, 0), KpiDaily.Locate(histogram, 2));
        Assert.Equal((2, 2), KpiDaily.Locate(histogram, 4));
        Assert.Equal((3, 0), KpiDaily.Locate(histogram, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => KpiDaily.Locate(histogram, 6));
    }

    [Fact]
    public void The_stamp_changes_with_every_setting_the_rollups_apply()
    {
        var stamp = KpiDaily.Stamp(Settings, Paris);
        Assert.Equal(stamp, KpiDaily.Stamp(Settings with { }, Paris));
        Assert.NotEqual(stamp, KpiDaily.Stamp(Settings, TimeZoneInfo.Utc));
        Assert.NotEqual(stamp, KpiDaily.Stamp(Settings with { WrapUpTimeoutSeconds = 60 }, Paris));
        Assert.NotEqual(stamp, KpiDaily.Stamp(Settings with { ShortAbandonSeconds = 0 }, Paris));
        Assert.NotEqual(stamp, KpiDaily.Stamp(Settings with { ServiceLevelSeconds = 20 }, Paris));
        Assert.NotEqual(stamp, KpiDaily.Stamp(Settings with { FcrRepeatWindow = TimeSpan.FromHours(48) }, Paris));
    }

    [Fact]
    public void A_days_figures_count_each_conversation_for_the_team_the_skill_and_the_operators_involved()
    {
        var skill = Guid.NewGuid();
        // 2026-03-10 in Paris (UTC+1): 08:30 and 23:30 local; the third is 00:30 local on the 11th.
        var day = new DateTimeOffset(2026, 3, 10, 7, 30, 0, TimeSpan.Zero);
        var answered = new KpiConversationRow
        {
            ConversationId = Guid.NewGuid(), VisitorId = Guid.NewGuid(), SkillId = skill, RequestedAt = day,
            FrtSeconds = 20, WaitSeconds = 5, DurationSeconds = 600, EndedAt = day.AddSeconds(600), EndedBy = "operator",
            AcwSeconds = 120, HandleSeconds = 700, FirstResponder = "ana", OwnerAtEnd = "bob", Resolved = true, Transfers = 1,
            HasSurvey = true, Csat = 5, Nps = 6, Ces = 2, SurveyResolved = true, NextRequestAt = day.AddHours(30),
        };
        var shortAbandon = new KpiConversationRow
        {
            ConversationId = Guid.NewGuid(), VisitorId = Guid.NewGuid(), RequestedAt = day.AddHours(15),
            DurationSeconds = 8, EndedAt = day.AddHours(15).AddSeconds(8), EndedBy = "visitor",
        };
        var nextDay = new KpiConversationRow
        {
            ConversationId = Guid.NewGuid(), VisitorId = Guid.NewGuid(), SkillId = skill, RequestedAt = day.AddHours(16),
            DurationSeconds = 40, EndedAt = day.AddHours(16).AddSeconds(40), EndedBy = "system",
        };
        KpiConversationOperatorRow Part(string op, bool owner, double engaged, bool transferred) => new()
        {
            ConversationId = answered.ConversationId, OperatorId = op, SiteId = answered.SiteId, SkillId = skill, RequestedAt = day, TookPart = true,
            IsOwner = owner, Answered = true, EngagedSeconds = engaged, AcwRawSeconds = 300, WrapUpAuto = true, TransferredAway = transferred,
        };

        var rows = KpiDaily.Compute([answered, shortAbandon, nextDay], [Part("ana", false, 200, true), Part("bob", true, 380, false)], Settings, Paris);

        var tenth = new DateOnly(2026, 3, 10);
        var team = rows[(tenth, KpiBusyDayRow.AllSkills, KpiDaily.Team)];
        Assert.Equal(2, team[DailyCount.Requested]);
        Assert.Equal(1, team[DailyCount.Answered]);
        Assert.Equal(1, team[DailyCount.Abandoned]);
        Assert.Equal(1, team[DailyCount.ShortAbandoned]);
        Assert.Equal(1, team[DailyCount.WithinServiceLevel]);
        Assert.Equal(1, team[DailyCount.Fcr]); // the next request comes 30 h later, after the 24 h window
        Assert.Equal(1, team[DailyCount.Transferred]);
        Assert.Equal(0, team[DailyCount.Promoters]);
        Assert.Equal(1, team[DailyCount.Detractors]);
        Assert.Equal(new Stat(20, null, null, 1), team.Stat(DailyDuration.Frt));
        Assert.Equal(new Stat(8, null, null, 1), team.Stat(DailyDuration.Ata));
        Assert.Equal(new Stat(700, null, null, 1), team.Stat(DailyDuration.Aht));
        Assert.Equal(1, team.Histograms![(int)DailyDuration.Frt][20]);
        Assert.Equal(1, team.Histograms[(int)DailyDuration.Ata][8]);
        Assert.Equal(1, team.Hours![8]);
        Assert.Equal(1, team.Hours[23]);

        // The skill's row has only the skilled conversation; the next local day has the missed one.
        Assert.Equal(1, rows[(tenth, skill, KpiDaily.Team)][DailyCount.Requested]);
        Assert.Equal(1, rows[(tenth.AddDays(1), KpiBusyDayRow.AllSkills, KpiDaily.Team)][DailyCount.Missed]);
        Assert.Equal(1, rows[(tenth.AddDays(1), KpiBusyDayRow.AllSkills, KpiDaily.Team)].Hours![0]);

        // FRT to the first responder; resolution, surveys and ACW to the owner; each operator's own part of the handle time.
        var ana = rows[(tenth, KpiBusyDayRow.AllSkills, "ana")];
        var bob = rows[(tenth, KpiBusyDayRow.AllSkills, "bob")];
        Assert.Equal(new Stat(20, null, null, 1), ana.Stat(DailyDuration.Frt));
        Assert.Equal(0, ana[DailyCount.Resolved]);
        Assert.Equal(1, ana[DailyCount.PartTransferredAway]);
        Assert.Equal(new Stat(200, null, null, 1), ana.Stat(DailyDuration.Aht));
        Assert.Equal(0, bob.DurationCounts[(int)DailyDuration.Frt]);
        Assert.Equal(1, bob[DailyCount.Resolved]);
        Assert.Equal(1, bob[DailyCount.Satisfied]);
        Assert.Equal(5, bob.ScoreSums[(int)DailyScore.Csat]);
        Assert.Equal(new Stat(120, null, null, 1), bob.Stat(DailyDuration.Acw));
        Assert.Equal(new Stat(380 + 120, null, null, 1), bob.Stat(DailyDuration.Aht)); // the automatic wrap-up capped at 120 s
        Assert.Null(bob.Histograms);
    }

    [Fact]
    public void Adding_days_sums_their_counts_sums_hours_and_histograms()
    {
        var a = new DailyFigures { Hours = new int[24], Histograms = DailyFigures.NewHistograms() };
        a.Count(DailyCount.Requested);
        a.Duration(DailyDuration.Frt, 3.5);
        var b = new DailyFigures { Hours = new int[24], Histograms = DailyFigures.NewHistograms() };
        b.Count(DailyCount.Requested);
        b.Duration(DailyDuration.Frt, 130);
        b.Hours[5] = 2;
        var sum = new DailyFigures();
        sum.Add(a);
        sum.Add(b);
        Assert.Equal(2, sum[DailyCount.Requested]);
        Assert.Equal(new Stat(66.75, null, null, 2), sum.Stat(DailyDuration.Frt));
        Assert.Equal(2, sum.Hours![5]);
        var frt = sum.Histograms![(int)DailyDuration.Frt];
        Assert.Equal(1, frt[3]);
        Assert.Equal(1, frt[KpiDaily.Bucket(130)]);
        Assert.Equal(2, frt.Sum());
    }
}
