using System.Globalization;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Tests.Support;
using GitPromote.TestSupport;
using static GitPromote.Cli.Tests.Support.PolicyYaml;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The guard's rules (soak, freeze, approvals, bypass, deletions, many refs, a broken policy) as a push and <c>check</c>
/// meet them, run in process: the pre-push hook and the commands as git and a person run them, their evidence faked
/// through the context (<see cref="FakeEvidenceClients"/>). These were integration tests (GuardrailTests,
/// PrePushGuardTests) that needed real git only as a place to keep records; what git itself does with records and
/// pushes stays tested there.
/// </summary>
public sealed class GuardRulesInProcessTests
{
    private const string GoodJustification = "INC-12: db failover, hotfix approved";
    private static readonly DateTimeOffset Now = new FixedClock().Now;
    private static readonly string Zero = FakeClone.Zero;

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>git push &lt;env&gt; main</c> of <paramref name="commit"/> to an environment whose main does not exist yet.</summary>
    private static (string, string, string, string) ToMain(string commit, string old = "") =>
        ("refs/heads/main", commit, "refs/heads/main", old.Length > 0 ? old : Zero);

    // ---- soak ----

    [Fact]
    public async Task Push_to_prd_waits_for_the_soak_time_in_stg_and_says_how_long_is_left_and_when()
    {
        var clone = new FakeClone(With(TestPolicies.StandardYaml, "stg", "soak: 2h"));
        var head = clone.Commit('a', "first");
        clone.GreenIn(head, Now.AddSeconds(-10), "dev", "stg");

        var (exit, _, error) = await clone.PushAsync("prd", ToMain(head));

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.Contains($"{head[..12]} may not go to prd (soak)", error);
        Assert.Contains("[soak] green in stg for 10s of 2h; may go at 2024-06-01 11:29Z (in 2h)", error);
        Assert.Contains("in an emergency: PROMOTE_BYPASS=", error);
        Assert.Empty(clone.Evidence.Bypasses);
    }

    [Fact]
    public async Task Push_to_prd_goes_through_when_the_green_record_in_stg_is_older_than_the_soak()
    {
        var clone = new FakeClone(With(TestPolicies.StandardYaml, "stg", "soak: 2h"));
        var head = clone.Commit('a', "first");
        clone.GreenIn(head, Now.AddHours(-1), "dev");
        // Recorded three hours ago: the record's own time is what soak counts from.
        clone.GreenIn(head, Now.AddHours(-3), "stg");

        var (exit, _, error) = await clone.PushAsync("prd", ToMain(head));

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains($"ok prd/main <- {head[..12]}: green in stg", error);
        clone.Clients.Remote.Holds("prd", "refs/heads/main", head);
        var (checkExit, explain, _) = await clone.PromoteAsync("check", "prd", "--explain");
        Assert.Equal(ExitCodes.Ok, checkExit);
        Assert.Contains("pass  soak        green in stg for 3h (soak 2h)", explain);
    }

    // ---- freeze ----

    [Fact]
    public async Task Push_into_a_frozen_environment_is_refused_with_the_reason_and_when_the_freeze_ends()
    {
        var to = Now.AddHours(1);
        var clone = new FakeClone(With(TestPolicies.StandardYaml, "prd",
            "freeze:", $"  - {{from: {Utc(Now.AddHours(-1))}, to: {Utc(to)}, reason: 'release train: nothing but fixes'}}"));
        var head = clone.Commit('a', "first");
        clone.GreenIn(head, Now.AddDays(-1), "dev", "stg");

        var (exit, _, error) = await clone.PushAsync("prd", ToMain(head));

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.Contains("[freeze] prd is frozen until 2024-06-01 10:30Z: release train: nothing but fixes", error);
    }

    [Fact]
    public async Task A_time_zone_this_machine_does_not_know_is_a_policy_error_with_its_position()
    {
        var clone = new FakeClone(With(TestPolicies.StandardYaml, "prd",
            "freeze:", "  - {cron: '0 18 * * 5', duration: 64h, timezone: Europe/Atlantis, reason: weekend}"));
        var head = clone.Commit('a', "first");

        var (exit, _, error) = await clone.PushAsync("stg", ToMain(head));

        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Contains("  .promote.yml:16:55: 'timezone' must be a time zone this machine knows, like Europe/Amsterdam or UTC, not 'Europe/Atlantis'",
            error);
    }

    // ---- check --explain ----

    [Fact]
    public async Task Check_explain_shows_every_rule_with_pass_or_fail()
    {
        var clone = new FakeClone(With(With(TestPolicies.StandardYaml, "stg", "soak: 2h"), "prd", "approvals: { required: 1 }"));
        var head = clone.Commit('a', "first");
        clone.GreenIn(head, Now.AddMinutes(-5), "dev", "stg");

        var (exit, explain, _) = await clone.PromoteAsync("check", "prd", "--explain");

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.Contains($"{head[..12]} -> prd (from stg)", explain);
        Assert.Contains("pass  order       green in stg", explain);
        Assert.Contains("FAIL  soak        green in stg for", explain);
        Assert.Contains("skip  freeze      prd has no freeze windows", explain);
        Assert.Contains("FAIL  approvals   0 of 1 approval from others", explain);
        Assert.Contains("pass  revocation  not revoked in stg or prd", explain);
        Assert.Contains("may not go to prd: soak, approvals", explain);
        var (jsonExit, json, _) = await clone.PromoteAsync("check", "prd", "--json");
        Assert.Equal(ExitCodes.Blocked, jsonExit);
        Assert.Contains("\"reason\":\"soak-pending\"", json);
        Assert.Contains("{\"rule\":\"freeze\",\"outcome\":\"skipped\"", json);
    }

    // ---- the pre-push guard ----

    [Fact]
    public async Task Bypass_with_a_justification_that_does_not_match_is_refused_with_the_pattern()
    {
        var clone = new FakeClone(TestPolicies.StandardYaml);
        var head = clone.Commit('a', "first");
        clone.Environment = clone.Environment.With("PROMOTE_BYPASS", "urgent");

        var (exit, _, error) = await clone.PushAsync("prd", ToMain(head));

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.Contains("^[A-Z]+-[0-9]+: .{10,}", error);
        Assert.Empty(clone.Evidence.Bypasses);
    }

    [Fact]
    public async Task A_bypass_with_a_matching_justification_is_recorded_in_the_target_environment_by_the_pusher()
    {
        // The in-process half of PrePushGuardTests' bypass test (which still shows git writing the record, and audit reading it).
        var clone = new FakeClone(TestPolicies.StandardYaml);
        var head = clone.Commit('a', "first");
        clone.Environment = clone.Environment.With("PROMOTE_BYPASS", GoodJustification);

        var (exit, _, error) = await clone.PushAsync("prd", ToMain(head));

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("BYPASS", error);
        var record = Assert.Single(clone.Evidence.Bypasses);
        Assert.Equal(("prd", head, GoodJustification, "dana"), (record.Environment, record.Commit, record.Justification, record.By.Name));
        Assert.Equal(FakeClone.RemoteUrl("prd"), record.Remote);
    }

    [Fact]
    public async Task Deleting_the_deploy_branch_of_a_guarded_environment_is_refused()
    {
        var clone = new FakeClone(TestPolicies.StandardYaml);
        var head = clone.Commit('a', "first");
        clone.GreenIn(head, Now.AddDays(-1), "dev", "stg", "prd");

        var (exit, _, error) = await clone.PushAsync("prd", ("(delete)", Zero, "refs/heads/main", head));

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.Contains("deleting the deploy branch 'main' of prd is not allowed", error);
    }

    [Fact]
    public async Task A_push_of_several_refs_checks_every_ref_and_names_each_refused_one()
    {
        var clone = new FakeClone(TestPolicies.StandardYaml.Replace("branches: [main]", "branches: [main, 'release/*']"));
        var green = clone.Commit('a', "first");
        clone.GreenIn(green, Now.AddDays(-1), "dev");
        var notGreen = clone.Commit('b', "not yet tested");
        var alsoNotGreen = clone.Commit('c', "nor this");

        var (exit, _, error) = await clone.PushAsync("stg", ("refs/heads/main", green, "refs/heads/main", Zero),
            ("refs/heads/main", notGreen, "refs/heads/release/1", Zero), ("refs/heads/main", alsoNotGreen, "refs/heads/release/2", Zero),
            ("refs/heads/main", notGreen, "refs/heads/feature/x", Zero));

        Assert.Equal(ExitCodes.Blocked, exit);
        Assert.Contains("refs/heads/release/1", error);
        Assert.Contains("refs/heads/release/2", error);
        Assert.DoesNotContain("refs/heads/main:", error);
        Assert.DoesNotContain("refs/heads/feature/x", error);
        Assert.Contains("2 of 3 deploy refs", error);
    }

    [Fact]
    public async Task A_malformed_policy_blocks_the_push_with_file_line_and_column()
    {
        var clone = new FakeClone(TestPolicies.StandardYaml.Replace("environments:", "enviroments:"));
        var head = clone.Commit('a', "first");

        var (exit, _, error) = await clone.PushAsync("stg", ToMain(head));

        Assert.NotEqual(ExitCodes.Ok, exit);
        Assert.Matches(@"\.promote\.yml:4:1: unknown key 'enviroments'; did you mean 'environments'\?", error);
        Assert.DoesNotContain("   at ", error);
    }
}
