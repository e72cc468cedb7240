namespace ChatDesk.Server.Kpis;

/// <summary>A manager's goal for one KPI: value, which way is better, over a week or a month, optionally per skill.</summary>
public sealed class KpiTarget
{
    public Guid Id { get; set; }
    public required string Kpi { get; set; }
    public Guid? SkillId { get; set; }
    public double Value { get; set; }

    /// <summary>higher or lower (is better).</summary>
    public required string Direction { get; set; }

    /// <summary>week or month.</summary>
    public required string Period { get; set; }
}
