using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

/// <summary>The guard-rail keys of an environment: soak, freeze, freeze_allows_rollback, approvals.</summary>
public class GuardrailPolicyTests
{
    /// <summary>
    /// dev -> stg -> prd, with <paramref name="stg"/> and <paramref name="prd"/> lines added to those environments: a single
    /// line of stg's is line 7, of prd's line 10.
    /// </summary>
    internal static string Policy(string stg = "", string prd = "") => $"""
        version: 1
        environments:
          - name: dev
            remotes: [dev]
          - name: stg
            remotes: [stg]
        {Indent(stg)}  - name: prd
            remotes: [prd]
        {Indent(prd)}
        """;

    private static string Indent(string lines) => lines.Length == 0
        ? "    # nothing\n"
        : string.Concat(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l + "\n"));

    private static PromotionPolicy LoadValid(string yaml)
    {
        var result = PolicyLoader.Load(yaml, ".promote.yml", "orders");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Policy!;
    }

    private static IReadOnlyList<string> LoadErrors(string yaml)
    {
        var result = PolicyLoader.Load(yaml, ".promote.yml", "orders");
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Without_guard_rails_an_environment_has_no_soak_no_freeze_no_approvals_and_rollbacks_pass_freezes()
    {
        var stg = LoadValid(Policy()).Environments[1];

        Assert.Null(stg.Soak);
        Assert.Empty(stg.Freeze);
        Assert.True(stg.FreezeAllowsRollback);
        Assert.Equal(0, stg.RequiredApprovals);
    }

    [Fact]
    public void The_issue_example_loads_every_rule()
    {
        var policy = LoadValid(Policy(
            stg: "soak: 2h",
            prd: """
                freeze:
                  - {cron: '0 18 * * 5', duration: 64h, timezone: Europe/Amsterdam, reason: weekend}
                  - {from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z, reason: year end}
                freeze_allows_rollback: false
                approvals: { required: 1 }
                """));

        Assert.Equal(TimeSpan.FromHours(2), policy.Environments[1].Soak);
        var prd = policy.Environments[2];
        Assert.Collection(prd.Freeze,
            w =>
            {
                var recurring = Assert.IsType<RecurringFreeze>(w);
                Assert.Equal("0 18 * * 5", recurring.Cron);
                Assert.Equal(TimeSpan.FromHours(64), recurring.Duration);
                Assert.Equal("Europe/Amsterdam", recurring.TimeZone.Id);
                Assert.Equal("weekend", recurring.Reason);
            },
            w => Assert.Equal(new OneOffFreeze(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 1, 4, 0, 0, 0, TimeSpan.Zero), "year end"), w));
        Assert.False(prd.FreezeAllowsRollback);
        Assert.Equal(1, prd.RequiredApprovals);
    }

    public static TheoryData<string, Action<EnvironmentPolicy>> ValidPrd => new()
    {
        { "freeze: [{cron: '0 18 * * 5', duration: 1h, reason: r}]", e => Assert.Same(TimeZoneInfo.Utc, ((RecurringFreeze)e.Freeze[0]).TimeZone) },
        { "freeze: [{cron: '*/15 9-17 * * MON-FRI', duration: 5m, timezone: UTC, reason: r}]", e =>
            Assert.Equal(TimeSpan.FromMinutes(5), ((RecurringFreeze)e.Freeze[0]).Duration) },
        { "freeze: [{cron: '0 0 1 1 *', duration: 24h, timezone: America/Argentina/Buenos_Aires, reason: r}]", e =>
            Assert.Equal("America/Argentina/Buenos_Aires", ((RecurringFreeze)e.Freeze[0]).TimeZone.Id) },
        { "freeze: [{from: '2026-12-20T00:00+01:00', to: '2026-12-21T00:00:00.5+01:00', reason: r}]", e =>
            Assert.Equal(new DateTimeOffset(2026, 12, 19, 23, 0, 0, TimeSpan.Zero), ((OneOffFreeze)e.Freeze[0]).From) },
        { "freeze_allows_rollback: true", e => Assert.True(e.FreezeAllowsRollback) },
        { "freeze_allows_rollback: False", e => Assert.False(e.FreezeAllowsRollback) },
        { "approvals: {required: 10}", e => Assert.Equal(10, e.RequiredApprovals) },
    };

    [Theory]
    [MemberData(nameof(ValidPrd))]
    public void Valid_guard_rails_are_read(string prd, Action<EnvironmentPolicy> check)
    {
        check(LoadValid(Policy(prd: prd)).Environments[2]);
    }

    [Theory]
    [InlineData("soak: 1s", 1)]
    [InlineData("soak: 90m", 5400)]
    [InlineData("soak: 1h30m", 5400)]
    [InlineData("soak: 8784h", 31_622_400)]
    public void Soak_is_a_duration(string stg, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoadValid(Policy(stg: stg)).Environments[1].Soak);
    }

    /// <summary>Every error with the line and column of the offending node (see <see cref="Policy"/> for the lines).</summary>
    public static TheoryData<string, string, string[]> InvalidGuardrails => new()
    {
        { "soak: 2 hours", "", [".promote.yml:7:11: 'soak' must be a duration like 2h or 30m, not '2 hours'"] },
        { "soak: 0s", "", [".promote.yml:7:11: 'soak' must be more than 0 and at most 8784h, not '0s'"] },
        { "soak: [2h]", "", [".promote.yml:7:11: 'soak' must be a duration like 2h or 30m"] },
        { "", "soak: 2h", [".promote.yml:10:11: 'soak' on environment 'prd' has no effect: it is how long a commit must be green here before it may go to " +
            "the next environment, and environment 'prd' is the last"] },
        { "saok: 2h", "", [".promote.yml:7:5: unknown key 'saok'; did you mean 'soak'?"] },
        { "", "frezee: []", [".promote.yml:10:5: unknown key 'frezee'; did you mean 'freeze'?"] },
        { "", "aprovals: {required: 1}", [".promote.yml:10:5: unknown key 'aprovals'; did you mean 'approvals'?"] },
        { "", "freeze: weekends", [".promote.yml:10:13: 'freeze' must be a list of windows, e.g. '- {cron: \"0 18 * * 5\", duration: 64h, timezone: " +
            "Europe/Amsterdam, reason: weekend}'"] },
        { "", "freeze: []", [".promote.yml:10:13: 'freeze' must list at least one window; leave it out for none"] },
        { "", "freeze: [weekend]", [".promote.yml:10:14: a freeze window must be a mapping"] },
        { "", "freeze: [{reason: r}]", [".promote.yml:10:14: a freeze window needs 'cron' and 'duration' (recurring) or 'from' and 'to' (one-off)"] },
        {
            "", "freeze: [{cron: '0 18 * * 5', from: 2026-12-20T00:00:00Z, reason: r}]",
            [".promote.yml:10:14: a freeze window is either recurring (cron, duration, timezone) or one-off (from, to), not both"]
        },
        {
            "", "freeze: [{cron: '0 18 * * 5', duration: 1h}]",
            [".promote.yml:10:14: a freeze window is missing required key 'reason'"]
        },
        {
            "", "freeze: [{cron: '0 18 * * 5', reason: r}]",
            [".promote.yml:10:14: a recurring freeze window is missing required key 'duration'"]
        },
        {
            "", "freeze: [{cron: '0 18 * *', duration: 1h, reason: r}]",
            [".promote.yml:10:21: 'cron' must be a cron expression of five fields (minute hour day-of-month month day-of-week), like '0 18 * * 5'; '0 18 * " +
                "*': The given cron expression has an invalid format. Months: Unexpected character '?'."]
        },
        {
            "", "freeze: [{cron: '61 18 * * 5', duration: 1h, reason: r}]",
            [".promote.yml:10:21: 'cron' must be a cron expression of five fields (minute hour day-of-month month day-of-week), like '0 18 * * 5'; '61 18 * " +
                "* 5': The given cron expression has an invalid format. Minutes: Value must be a number between 0 and 59 (all inclusive)."]
        },
        {
            "", "freeze: [{cron: '0 18 * * 5', duration: 367d, reason: r}]",
            [".promote.yml:10:45: 'duration' must be a duration like 64h or 90m, not '367d'"]
        },
        {
            "", "freeze: [{cron: '0 18 * * 5', duration: 8785h, reason: r}]",
            [".promote.yml:10:45: 'duration' must be more than 0 and at most 8784h, not '8785h'"]
        },
        {
            "", "freeze: [{cron: '0 18 * * 5', duration: 1h, timezone: Mars/Olympus_Mons, reason: r}]",
            [".promote.yml:10:59: 'timezone' must be a time zone this machine knows, like Europe/Amsterdam or UTC, not 'Mars/Olympus_Mons'"]
        },
        {
            "", "freeze: [{cron: '0 18 * * 5', duration: 1h, timezone: ../../etc/passwd, reason: r}]",
            [".promote.yml:10:59: 'timezone' must be a time zone this machine knows, like Europe/Amsterdam or UTC, not '../../etc/passwd'"]
        },
        {
            "", "freeze: [{from: 2026-12-20, to: 2026-12-21T00:00:00, reason: r}]",
            [
                ".promote.yml:10:21: 'from' must be a date and time with an offset, like 2026-12-20T00:00:00Z or 2026-12-20T00:00:00+01:00, not '2026-12-20'",
                ".promote.yml:10:37: 'to' must be a date and time with an offset, like 2026-12-20T00:00:00Z or 2026-12-20T00:00:00+01:00, not " +
                    "'2026-12-21T00:00:00'",
            ]
        },
        {
            "", "freeze: [{from: 2026-12-20T00:00:00Z, to: 2026-12-20T00:00:00Z, reason: r}]",
            [".promote.yml:10:47: 'to' must be later than 'from'"]
        },
        {
            "", "freeze: [{from: 2026-12-20T00:00:00Z, to: 2026-12-21T00:00:00Z, timezone: UTC, reason: r}]",
            [".promote.yml:10:79: 'timezone' applies to recurring windows; give 'from' and 'to' with an offset, like 2026-12-20T00:00:00+01:00"]
        },
        {
            "", "freeze: [{from: 2026-12-20T00:00:00Z, to: 2026-12-21T00:00:00Z, reason: r, why: x}]",
            [".promote.yml:10:80: unknown key 'why'; valid keys of a freeze window are: cron, duration, timezone, from, to, reason"]
        },
        {
            "", "freeze: [{from: 2026-12-20T00:00:00Z, to: 2026-12-21T00:00:00Z, reasn: x}]",
            [
                ".promote.yml:10:14: a freeze window is missing required key 'reason'",
                ".promote.yml:10:69: unknown key 'reasn'; did you mean 'reason'?",
            ]
        },
        { "", "freeze_allows_rollback: yes", [".promote.yml:10:29: 'freeze_allows_rollback' must be true or false, not 'yes'"] },
        { "", "approvals: 1", [".promote.yml:10:16: 'approvals' must be a mapping"] },
        { "", "approvals: {}", [".promote.yml:10:16: 'approvals' is missing required key 'required'"] },
        { "", "approvals: {required: 0}", [".promote.yml:10:27: 'required' must be an integer from 1 to 10"] },
        { "", "approvals: {required: 1, from: [ops]}", [".promote.yml:10:30: unknown key 'from'; valid keys of 'approvals' are: required"] },
    };

    [Theory]
    [MemberData(nameof(InvalidGuardrails))]
    public void Invalid_guard_rails_are_reported_at_their_line_and_column(string stg, string prd, string[] expected)
    {
        Assert.Equal(string.Join("\n", expected), string.Join("\n", LoadErrors(Policy(stg, prd))));
    }

    [Theory]
    [InlineData("freeze: [{cron: '0 18 * * 5', duration: 1h, reason: r}]",
        "'freeze' on environment 'dev' has no effect: pushes to the first environment are not guarded")]
    [InlineData("approvals: {required: 1}", "'approvals' on environment 'dev' has no effect: pushes to the first environment are not guarded")]
    public void Rules_for_pushes_into_the_first_environment_are_errors(string line, string expected)
    {
        var yaml = Policy().Replace("    remotes: [dev]\n", "    remotes: [dev]\n    " + line + "\n");
        Assert.Equal([$".promote.yml:5:{line.IndexOf(':') + 7}: {expected}"], LoadErrors(yaml));
    }

    [Fact]
    public void More_than_fifty_freeze_windows_is_an_error()
    {
        var windows = string.Join(", ", Enumerable.Range(0, 51).Select(_ => "{cron: '0 0 * * *', duration: 1h, reason: r}"));
        Assert.Equal([".promote.yml:10:13: 'freeze' may list at most 50 windows; found 51"], LoadErrors(Policy(prd: $"freeze: [{windows}]")));
    }
}
