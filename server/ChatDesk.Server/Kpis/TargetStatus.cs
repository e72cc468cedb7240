namespace ChatDesk.Server.Kpis;

/// <summary>Green when the target is met, amber within 10 % of it, red otherwise (../shared/kpis.md section 5).</summary>
public static class TargetStatus
{
    public const string Green = "green";
    public const string Amber = "amber";
    public const string Red = "red";

    public static string? Of(double? value, double target, string direction)
    {
        if (value is not { } v)
            return null;
        var tolerance = Math.Abs(target) * 0.1;
        return direction == "lower"
            ? v <= target ? Green : v <= target + tolerance ? Amber : Red
            : v >= target ? Green : v >= target - tolerance ? Amber : Red;
    }
}
