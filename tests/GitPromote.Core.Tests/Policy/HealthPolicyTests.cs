using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

/// <summary><c>health: {alarms, healthy_for, insufficient_data}</c> of an environment: defaults, and errors with file:line:col.</summary>
public class HealthPolicyTests
{
    /// <summary>dev -> stg -> prd as the other guard rails are tested: stg's first line is line 7, prd's line 10.</summary>
    private static string Policy(string stg = "", string prd = "") => GuardrailPolicyTests.Policy(stg, prd);

    private static EnvironmentPolicy Stg(string stg)
    {
        var result = PolicyLoader.Load(Policy(stg: stg), ".promote.yml", "orders");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Policy!.Environments[1];
    }

    private static IReadOnlyList<string> Errors(string stg, string prd = "")
    {
        var result = PolicyLoader.Load(Policy(stg, prd), ".promote.yml", "orders");
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void The_issue_example_loads_names_prefixes_healthy_for_and_insufficient_data()
    {
        var health = Stg("""
            soak: 2h
            health:
              alarms: [orders-stg-5xx, 'orders-stg-latency-*']
              healthy_for: 30m
              insufficient_data: ignore
            """).Health!;

        Assert.Equal(["orders-stg-5xx", "orders-stg-latency-*"], health.Alarms.Select(a => a.Text));
        Assert.Equal(["orders-stg-5xx"], health.Names.Select(a => a.Value));
        Assert.Equal(["orders-stg-latency-"], health.Prefixes.Select(a => a.Value));
        Assert.Equal(TimeSpan.FromMinutes(30), health.HealthyFor);
        Assert.Equal(InsufficientDataMode.Ignore, health.InsufficientData);
    }

    [Fact]
    public void Healthy_for_defaults_to_the_soak()
    {
        Assert.Equal(TimeSpan.FromHours(2), Stg("soak: 2h\nhealth: {alarms: [a]}").Health!.HealthyFor);
    }

    [Fact]
    public void Healthy_for_defaults_to_15m_without_a_soak_and_insufficient_data_blocks()
    {
        var health = Stg("health: {alarms: [a]}").Health!;

        Assert.Equal(TimeSpan.FromMinutes(15), health.HealthyFor);
        Assert.Equal(InsufficientDataMode.Block, health.InsufficientData);
    }

    [Fact]
    public void Without_health_an_environment_has_none()
    {
        Assert.Null(Stg("soak: 1h").Health);
    }

    [Theory]
    [InlineData("orders-stg-latency-*", "orders-stg-latency-p99", true)]
    [InlineData("orders-stg-latency-*", "orders-stg-latency-", true)]
    [InlineData("orders-stg-latency-*", "orders-stg-5xx", false)]
    [InlineData("orders-stg-5xx", "orders-stg-5xx", true)]
    [InlineData("orders-stg-5xx", "orders-stg-5xx-2", false)]
    [InlineData("orders-stg-5xx", "Orders-stg-5xx", false)]
    public void A_name_matches_itself_and_a_prefix_every_name_that_starts_with_it(string pattern, string alarm, bool matches)
    {
        Assert.Equal(matches, new AlarmPattern(pattern).Matches(alarm));
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { "health: [a]", "", ".promote.yml:7:13: 'health' must be a mapping" },
        { "health: {healthy_for: 1h}", "", ".promote.yml:7:13: 'health' is missing required key 'alarms'" },
        { "health: {alarms: []}", "", ".promote.yml:7:22: 'alarms' must list at least one alarm name or prefix (ending in *); leave 'health' out for none" },
        { "health: {alarms: a}", "", ".promote.yml:7:22: 'alarms' must be a list of strings" },
        { "health: {alarms: ['*']}", "",
            ".promote.yml:7:23: alarm '*' would match every alarm in the account: name the alarms, or a prefix like 'orders-stg-*'" },
        { "health: {alarms: ['a*b']}", "",
            ".promote.yml:7:23: alarm 'a*b' may have '*' only at its end (a name prefix); CloudWatch matches no other wildcard" },
        { "health: {alarms: [a, b, a]}", "", ".promote.yml:7:29: alarm 'a' is listed twice; first at line 7" },
        { "health: {alarms: [a], healthy_for: soon}", "", ".promote.yml:7:40: 'healthy_for' must be a duration like 30m or 1h, not 'soon'" },
        { "health: {alarms: [a], healthy_for: 0s}", "", ".promote.yml:7:40: 'healthy_for' must be more than 0 and at most 8784h, not '0s'" },
        { "health: {alarms: [a], insufficient_data: allow}", "", ".promote.yml:7:46: 'insufficient_data' must be block or ignore, not 'allow'" },
        { "health: {alarms: [a], healthy_fr: 1h}", "", ".promote.yml:7:27: unknown key 'healthy_fr'; did you mean 'healthy_for'?" },
        { "helth: {alarms: [a]}", "", ".promote.yml:7:5: unknown key 'helth'; did you mean 'health'?" },
        {
            "", "health: {alarms: [a]}",
            ".promote.yml:10:13: 'health' on environment 'prd' has no effect: it guards commits leaving environment 'prd' for the next environment, and " +
                "environment 'prd' is the last"
        },
        { $"health: {{alarms: ['{new string('x', 256)}']}}", "", $".promote.yml:7:23: alarm '{new string('x', 80)}" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_health_is_an_error_at_its_line_and_column(string stg, string prd, string expected)
    {
        var error = Assert.Single(Errors(stg, prd));
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void At_most_100_alarms_may_be_listed()
    {
        var alarms = string.Join(", ", Enumerable.Range(0, 101).Select(i => $"a{i}"));
        Assert.Contains("'alarms' may list at most 100 names or prefixes; found 101", Assert.Single(Errors($"health: {{alarms: [{alarms}]}}")));
    }

    [Fact]
    public void A_name_of_255_characters_and_a_prefix_of_255_are_valid()
    {
        Assert.Equal(2, Stg($"health: {{alarms: ['{new string('x', 255)}', '{new string('y', 255)}*']}}").Health!.Alarms.Count);
    }
}
