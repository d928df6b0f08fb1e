using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>Reads an environment's guard rails beyond order: <c>soak</c>, <c>freeze</c>, <c>freeze_allows_rollback</c>, <c>approvals</c>,
/// <c>health</c>.</summary>
internal sealed partial class GuardrailReader(ValueReader values)
{
    public static readonly TimeSpan MaxSoak = TimeSpan.FromDays(366);
    public static readonly TimeSpan MaxFreezeDuration = TimeSpan.FromDays(366);
    public const int MaxFreezeWindows = 50;
    public const int MaxRequiredApprovals = 10;
    public const int MaxReason = 200;
    /// <summary>One DescribeAlarms call takes at most 100 names; more alarms than that are better named by a prefix.</summary>
    public const int MaxHealthAlarms = 100;
    /// <summary>CloudWatch's limit on an alarm name.</summary>
    public const int MaxAlarmName = 255;

    private readonly PolicyErrorSink _errors = values.Errors;

    public sealed record Result(TimeSpan? Soak, IReadOnlyList<FreezeWindow> Freeze, bool FreezeAllowsRollback, int RequiredApprovals, HealthPolicy? Health);

    /// <summary>Null after reporting errors.</summary>
    public Result? Read(MappingReader map, string label, bool isFirst, bool isLast)
    {
        var ok = true;

        TimeSpan? soak = null;
        if (map.Optional("soak") is { } soakValue)
        {
            soak = values.Duration(soakValue, "soak", MaxSoak, "2h or 30m");
            ok &= soak is not null;
            if (soak is not null && isLast)
            {
                _errors.Add(soakValue.At, $"'soak' on {label} has no effect: it is how long a commit must be green here before it may go to the next " +
                    $"environment, and {label} is the last");
                ok = false;
            }
        }

        IReadOnlyList<FreezeWindow> freeze = [];
        if (map.Optional("freeze") is { } freezeValue)
        {
            var windows = ReadFreeze(freezeValue);
            ok &= windows is not null;
            freeze = windows ?? [];
            if (windows is not null && isFirst)
            {
                _errors.Add(freezeValue.At, $"'freeze' on {label} has no effect: pushes to the first environment are not guarded");
                ok = false;
            }
        }

        var allowsRollback = true;
        if (map.Optional("freeze_allows_rollback") is { } rollbackValue)
        {
            var flag = values.Boolean(rollbackValue, "freeze_allows_rollback");
            ok &= flag is not null;
            allowsRollback = flag ?? true;
        }

        var required = 0;
        if (map.Optional("approvals") is { } approvalsValue)
        {
            var count = ReadApprovals(approvalsValue);
            ok &= count is not null;
            required = count ?? 0;
            if (count is not null && isFirst)
            {
                _errors.Add(approvalsValue.At, $"'approvals' on {label} has no effect: pushes to the first environment are not guarded");
                ok = false;
            }
        }

        HealthPolicy? health = null;
        if (map.Optional("health") is { } healthValue)
        {
            health = ReadHealth(healthValue, soak);
            ok &= health is not null;
            if (health is not null && isLast)
            {
                _errors.Add(healthValue.At,
                    $"'health' on {label} has no effect: it guards commits leaving {label} for the next environment, and {label} is the last");
                ok = false;
            }
        }

        return ok ? new Result(soak, freeze, allowsRollback, required, health) : null;
    }

    /// <summary><c>health: { alarms: [...], healthy_for: 30m, insufficient_data: block }</c>; healthy_for defaults to the soak, else 15m.</summary>
    private HealthPolicy? ReadHealth(YamlValue value, TimeSpan? soak)
    {
        if (MappingReader.Open(value, "'health'", PolicyKeys.Health, _errors) is not { } map) return null;
        var alarms = map.Required("alarms", "'health'") is { } alarmsValue ? ReadAlarms(alarmsValue) : null;
        TimeSpan? healthyFor = soak ?? HealthPolicy.DefaultHealthyFor;
        if (map.Optional("healthy_for") is { } forValue) healthyFor = values.Duration(forValue, "healthy_for", MaxSoak, "30m or 1h");
        InsufficientDataMode? insufficient = InsufficientDataMode.Block;
        if (map.Optional("insufficient_data") is { } insufficientValue)
            insufficient = values.Choice(insufficientValue, "insufficient_data", ("block", InsufficientDataMode.Block),
                ("ignore", InsufficientDataMode.Ignore));
        return alarms is not null && healthyFor is not null && insufficient is not null
            ? new HealthPolicy(alarms, healthyFor.Value, insufficient.Value)
            : null;
    }

    private IReadOnlyList<AlarmPattern>? ReadAlarms(YamlValue value)
    {
        var ok = values.TextList(value, "alarms", out var list);
        if (!ok) return null;
        if (list.Count == 0)
        {
            _errors.Add(value.At, "'alarms' must list at least one alarm name or prefix (ending in *); leave 'health' out for none");
            return null;
        }
        if (list.Count > MaxHealthAlarms)
        {
            _errors.Add(value.At, $"'alarms' may list at most {MaxHealthAlarms} names or prefixes; found {list.Count} (name a prefix ending in * instead)");
            return null;
        }
        var seen = new Dictionary<string, Position>(StringComparer.Ordinal);
        var patterns = new List<AlarmPattern>();
        foreach (var (text, at) in list)
        {
            var shown = Quoting.Show(text, 80);
            string? problem =
                (text.EndsWith('*') ? text.Length - 1 : text.Length) > MaxAlarmName ? $"alarm '{shown}' is longer than CloudWatch's {MaxAlarmName} characters"
                : text.Any(char.IsControl) ? $"alarm '{shown}' must not contain control characters"
                : text == "*" ? "alarm '*' would match every alarm in the account: name the alarms, or a prefix like 'orders-stg-*'"
                : text.IndexOf('*') is var star && star >= 0 && star != text.Length - 1
                    ? $"alarm '{shown}' may have '*' only at its end (a name prefix); CloudWatch matches no other wildcard"
                : seen.TryGetValue(text, out var first) ? $"alarm '{shown}' is listed twice; first at line {first.Line}"
                : null;
            if (problem is not null)
            {
                _errors.Add(at, problem);
                ok = false;
                continue;
            }
            seen[text] = at;
            patterns.Add(new AlarmPattern(text));
        }
        return ok ? patterns : null;
    }

    private IReadOnlyList<FreezeWindow>? ReadFreeze(YamlValue value)
    {
        if (value is not YamlList list)
        {
            _errors.Add(value.At,
                "'freeze' must be a list of windows, e.g. '- {cron: \"0 18 * * 5\", duration: 64h, timezone: Europe/Amsterdam, reason: weekend}'");
            return null;
        }
        if (list.Items.Count == 0)
        {
            _errors.Add(value.At, "'freeze' must list at least one window; leave it out for none");
            return null;
        }
        if (list.Items.Count > MaxFreezeWindows)
        {
            _errors.Add(value.At, $"'freeze' may list at most {MaxFreezeWindows} windows; found {list.Items.Count}");
            return null;
        }
        var windows = new List<FreezeWindow>();
        var ok = true;
        foreach (var item in list.Items)
        {
            var window = ReadWindow(item);
            if (window is null) ok = false;
            else windows.Add(window);
        }
        return ok ? windows : null;
    }

    private FreezeWindow? ReadWindow(YamlValue value)
    {
        if (MappingReader.Open(value, "a freeze window", PolicyKeys.FreezeWindow, _errors) is not { } map) return null;
        var recurring = map.Has("cron") || map.Has("duration");
        var oneOff = map.Has("from") || map.Has("to");
        if (recurring && oneOff)
        {
            _errors.Add(map.At, "a freeze window is either recurring (cron, duration, timezone) or one-off (from, to), not both");
            return null;
        }
        if (!recurring && !oneOff)
        {
            _errors.Add(map.At, "a freeze window needs 'cron' and 'duration' (recurring) or 'from' and 'to' (one-off)");
            return null;
        }

        string? reason = null;
        if (map.Required("reason", "a freeze window") is { } reasonValue && values.Text(reasonValue, "reason") is { } r)
        {
            if (r.Length <= MaxReason) reason = r;
            else _errors.Add(reasonValue.At, $"'reason' must be at most {MaxReason} characters");
        }
        return recurring ? ReadRecurring(map, reason) : ReadOneOff(map, reason);
    }

    private RecurringFreeze? ReadRecurring(MappingReader map, string? reason)
    {
        string? cron = null;
        if (map.Required("cron", "a recurring freeze window") is { } cronValue && values.Text(cronValue, "cron") is { } text)
        {
            try
            {
                CronExpression.Parse(text, CronFormat.Standard);
                cron = text;
            }
            catch (CronFormatException e)
            {
                _errors.Add(cronValue.At, "'cron' must be a cron expression of five fields (minute hour day-of-month month day-of-week), like '0 18 * * 5'; " +
                    $"'{Quoting.Show(text)}': {Quoting.Show(e.Message, 120)}");
            }
        }
        var duration = map.Required("duration", "a recurring freeze window") is { } durationValue
            ? values.Duration(durationValue, "duration", MaxFreezeDuration, "64h or 90m")
            : null;
        var timeZone = map.Optional("timezone") is { } zoneValue ? ReadTimeZone(zoneValue) : TimeZoneInfo.Utc;
        var zoneOk = map.Optional("timezone") is null || timeZone is not null;

        return cron is not null && duration is not null && zoneOk && reason is not null
            ? new RecurringFreeze(cron, duration.Value, timeZone!, reason)
            : null;
    }

    private OneOffFreeze? ReadOneOff(MappingReader map, string? reason)
    {
        if (map.Optional("timezone") is { } zoneValue)
        {
            _errors.Add(zoneValue.At, "'timezone' applies to recurring windows; give 'from' and 'to' with an offset, like 2026-12-20T00:00:00+01:00");
            return null;
        }
        var from = map.Required("from", "a one-off freeze window") is { } fromValue ? ReadMoment(fromValue, "from") : null;
        var to = map.Required("to", "a one-off freeze window") is { } toValue ? ReadMoment(toValue, "to") : null;
        if (from is null || to is null || reason is null) return null;
        if (to <= from)
        {
            _errors.Add(map.Optional("to")!.At, "'to' must be later than 'from'");
            return null;
        }
        return new OneOffFreeze(from.Value, to.Value, reason);
    }

    private DateTimeOffset? ReadMoment(YamlValue value, string key)
    {
        if (value is YamlText { IsNull: false } text && Moment().IsMatch(text.Value)
            && DateTimeOffset.TryParse(text.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            return at;
        var shown = value is YamlText { IsNull: false } t ? $", not '{Quoting.Show(t.Value)}'" : "";
        _errors.Add(value.At, $"'{key}' must be a date and time with an offset, like 2026-12-20T00:00:00Z or 2026-12-20T00:00:00+01:00{shown}");
        return null;
    }

    /// <summary>
    /// An IANA zone id, looked up where the machine keeps them (/usr/share/zoneinfo on Linux): a zone this machine does
    /// not know is an error now, not a freeze that silently never starts.
    /// </summary>
    private TimeZoneInfo? ReadTimeZone(YamlValue value)
    {
        if (values.Text(value, "timezone") is not { } id) return null;
        if (id.Length <= 64 && ZoneId().IsMatch(id))
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
            {
            }
        }
        _errors.Add(value.At, $"'timezone' must be a time zone this machine knows, like Europe/Amsterdam or UTC, not '{Quoting.Show(id)}'");
        return null;
    }

    private int? ReadApprovals(YamlValue value)
    {
        if (MappingReader.Open(value, "'approvals'", PolicyKeys.Approvals, _errors) is not { } map) return null;
        return map.Required("required", "'approvals'") is { } requiredValue
            ? values.Integer(requiredValue, "required", 1, MaxRequiredApprovals)
            : null;
    }

    /// <summary>ISO 8601 with seconds optional, fractions allowed, and a mandatory offset (Z or ±hh:mm).</summary>
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Moment();

    /// <summary>What IANA ids are made of; anything else (paths, '..') never reaches the zone lookup.</summary>
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ZoneId();
}
