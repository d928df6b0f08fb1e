using System.Text.Json;
using GitPromote.Cli.Output;
using GitPromote.Cli.Tests.Support;
using GitPromote.Core.Engine;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;
using OutputJson = GitPromote.Cli.Output.Json;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The --json serializer and the published schemas agree on the words, and what a pusher wrote cannot drive a terminal
/// through them. Real command outputs are validated against the schemas in IntegrationTests.JsonSchemaTests.
/// </summary>
public sealed class JsonOutputTests
{
    private static readonly string Commit = Ids.Sha1('c');

    private static VerdictJson Refused(string message = "order: not green in stg") =>
        new("prd", Commit, Allowed: false, VerdictWords.Refused, VerdictWords.Reason(BlockReason.NotGreen), message, Evidence: null,
            [new RuleCheckJson("order", "fail", "not green in stg", Until: null)]);

    private static List<string> Enum(JsonElement schema, params string[] path)
    {
        var at = path.Aggregate(schema, (e, name) => e.GetProperty(name));
        return at.GetProperty("enum").EnumerateArray().Where(v => v.ValueKind != JsonValueKind.Null).Select(v => v.GetString()!).ToList();
    }

    [Theory]
    [InlineData("check")]
    [InlineData("gate")]
    public void The_outcome_and_reason_words_of_the_schema_are_the_vocabulary(string command)
    {
        using var schema = PublishedSchemas.Document(command);
        var defs = schema.RootElement.GetProperty("$defs");

        Assert.Equal(VerdictWords.Outcomes, Enum(defs, "outcome"));
        Assert.Equal(VerdictWords.Reasons, Enum(defs, "reason"));
        Assert.Equal(VerdictWords.RuleOutcomes, Enum(defs, "ruleCheck", "properties", "outcome"));
        Assert.Equal(System.Enum.GetValues<Rule>().Select(Names.Of), Enum(defs, "ruleCheck", "properties", "rule"));
    }

    [Fact]
    public void Every_verdict_kind_block_reason_and_rule_outcome_has_its_own_word()
    {
        var outcomes = System.Enum.GetValues<VerdictKind>().Select(VerdictWords.Outcome).ToList();
        var reasons = System.Enum.GetValues<BlockReason>().Where(r => r != BlockReason.None).Select(VerdictWords.Reason).ToList();
        var rules = System.Enum.GetValues<CheckOutcome>().Select(VerdictWords.RuleOutcome).ToList();

        Assert.Equal(outcomes.Count, outcomes.Distinct().Count());
        Assert.Equal(reasons.Count, reasons.Distinct().Count());
        Assert.Equal(VerdictWords.Outcomes.Order(), outcomes.Order());
        Assert.Equal(VerdictWords.RuleOutcomes.Order(), rules.Order());
        Assert.Null(VerdictWords.Reason(BlockReason.None));
        Assert.All(outcomes.Concat(reasons!).Concat(rules), w => Assert.Matches("^[a-z]+(-[a-z]+)*$", w));
    }

    [Fact]
    public void A_gate_output_is_the_check_output_with_the_pipelines_members_after_it()
    {
        var verdict = Refused();
        using var check = JsonDocument.Parse(OutputJson.Serialize(verdict, OutputJson.Types.VerdictJson));
        var gateJson = OutputJson.Serialize(new GateJson(verdict, "CODEBUILD_RESOLVED_SOURCE_VERSION", "ssm:/promote/orders/policy", null),
            OutputJson.Types.GateJson);
        using var gate = JsonDocument.Parse(gateJson);

        Assert.Equal([.. MemberNames(check.RootElement), "commitFrom", "policy", "bypass"], MemberNames(gate.RootElement));
        Assert.StartsWith(check.RootElement.GetRawText()[..^1], gateJson);
        PublishedSchemas.AssertConforms("gate", gateJson);
    }

    [Fact]
    public void Every_output_begins_with_its_schema_version()
    {
        var json = OutputJson.Serialize(Refused(), OutputJson.Types.VerdictJson);

        Assert.StartsWith("{\"schemaVersion\":1,\"environment\":\"prd\",", json);
        Assert.DoesNotContain('\n', json);
    }

    [Fact]
    public void Terminal_controls_bidi_overrides_DEL_and_C1_in_a_value_are_escaped_and_read_back_unchanged()
    {
        const string hostile = "\u001b]0;pwned\u0007 \u001b[2J \u007f \u009b31m \u202egnp.exe \u2066x\u2069";

        var json = OutputJson.Serialize(Refused(hostile), OutputJson.Types.VerdictJson);

        Assert.DoesNotContain(json, Quoting.IsUnsafe);
        foreach (var escape in new[] { "\\u001b", "\\u0007", "\\u007f", "\\u009b", "\\u202e", "\\u2066", "\\u2069" })
            Assert.Contains(escape, json, StringComparison.OrdinalIgnoreCase);
        using var read = JsonDocument.Parse(json);
        Assert.Equal(hostile, read.RootElement.GetProperty("message").GetString());
        PublishedSchemas.AssertConforms("check", json);
    }

    [Fact]
    public void Text_stays_readable_not_escaped_beyond_what_JSON_needs()
    {
        var json = OutputJson.Serialize(Refused("stg's <alarm> & \"quotes\" — café"), OutputJson.Types.VerdictJson);

        Assert.Contains("stg's <alarm> & \\\"quotes\\\" — café", json);
    }

    [Fact]
    public void A_check_output_with_the_enum_name_as_its_reason_is_rejected_by_the_schema()
    {
        var json = OutputJson.Serialize(Refused(), OutputJson.Types.VerdictJson);
        PublishedSchemas.AssertConforms("check", json);

        var violations = PublishedSchemas.Violations("check", json.Replace("\"reason\":\"not-green\"", "\"reason\":\"NotGreen\""));

        Assert.Contains(violations, v => v.StartsWith("/reason", StringComparison.Ordinal) && v.Contains("enum", StringComparison.Ordinal));
    }

    [Fact]
    public void An_output_missing_a_member_or_with_one_not_in_the_schema_is_rejected()
    {
        var json = OutputJson.Serialize(Refused(), OutputJson.Types.VerdictJson);

        Assert.Contains(PublishedSchemas.Violations("check", json.Replace("\"evidence\":null,", "")), v => v.Contains("required", StringComparison.Ordinal));
        Assert.Contains(PublishedSchemas.Violations("check", json.Replace("\"evidence\":null,", "\"evidence\":null,\"decision\":\"blocked\",")),
            v => v.Contains("additionalProperties", StringComparison.Ordinal));
    }

    [Fact]
    public void Audit_entries_say_their_kind_first_and_carry_only_their_own_members()
    {
        var at = "2024-06-01T09:30:00Z";
        var audit = new AuditJson([
            new AuditBypassJson("prd", Commit, "refs/heads/main", at, "Ann", "ann@example.com", "INC-1 outage", ["order"], Landed: null,
                UsedBy: new AuditDeploymentJson(at, "bypass", "ci")),
            new AuditRevocationJson("prd", Commit, null, "unknown", "", "broke checkout", Standing: false),
            new AuditLiftedJson("prd", Commit, at, "Bob", "bob@example.com", "broke checkout"),
        ]);

        var json = OutputJson.Serialize(audit, OutputJson.Types.AuditJson);

        PublishedSchemas.AssertConforms("audit", json);
        using var read = JsonDocument.Parse(json);
        var entries = read.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["bypass", "revocation", "revocation-lifted"], entries.Select(e => e.GetProperty("kind").GetString()));
        // The members and their order of the array audit --json printed before it carried a schemaVersion; usedBy came later, last.
        Assert.Equal(["kind", "environment", "commit", "ref", "at", "byName", "byEmail", "justification", "overrides", "landed", "usedBy"],
            MemberNames(entries[0]));
        Assert.Equal(["kind", "environment", "commit", "at", "byName", "byEmail", "reason", "standing"], MemberNames(entries[1]));
        Assert.Equal(["kind", "environment", "commit", "at", "byName", "byEmail", "reason"], MemberNames(entries[2]));
        Assert.Equal(JsonValueKind.Null, entries[0].GetProperty("landed").ValueKind);
    }

    [Fact]
    public async Task Prune_json_without_a_dry_run_is_a_usage_error_before_any_repository_is_looked_for()
    {
        var cli = new FakeCommandLine();
        cli.Git.Failure = new InvalidOperationException("must not be reached");

        var (exit, @out, error) = await cli.RunAsync("prune", "stg", "--json");

        Assert.Equal(2, exit);
        Assert.Empty(@out);
        Assert.Contains("--json describes a dry run", error);
        Assert.Contains("git promote prune stg --dry-run --json", error);
    }

    private static List<string> MemberNames(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToList();
}
