using System.Text.Json.Nodes;
using GitPromote.TestSupport;
using Xunit.Abstractions;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>
/// cdk-nag's AwsSolutions pack (pinned in node-tools, run by Iam/nag.cjs through CfnInclude) over the committed templates:
/// every finding is either gone or accepted in the template's metadata with its reason.
/// </summary>
public sealed class CdkNagTests(ITestOutputHelper output)
{
    private static JsonObject Run(IEnumerable<string> templates)
    {
        using var temp = new TempDirectory();
        var answer = IamSimulator.RunNode(Path.Combine(AppContext.BaseDirectory, "Iam", "nag.cjs"), "", TimeSpan.FromMinutes(4),
            [Path.Combine(temp.Path, "out"), .. templates]);
        return (JsonObject)JsonNode.Parse(answer)!;
    }

    private static IEnumerable<string> Describe(JsonNode? findings) =>
        findings!.AsArray().Select(f => $"{f!["rule"]} at {f["path"]}");

    [Fact]
    public void The_committed_templates_have_no_unexplained_AwsSolutions_finding()
    {
        var result = Run(Directory.GetFiles(ExampleSynthesis.Committed, "*.template.json").Order());
        var all = result["all"]!.AsArray();
        var acknowledged = result["acknowledged"]!.AsArray();
        output.WriteLine($"cdk-nag AwsSolutions: {all.Count} findings, {acknowledged.Count} accepted with a reason, {result["findings"]!.AsArray().Count} " +
            $"left");
        Assert.True(result["findings"]!.AsArray().Count == 0, "unexplained cdk-nag findings:\n  " + string.Join("\n  ", Describe(result["findings"])));
        Assert.NotEmpty(acknowledged);
        Assert.All(acknowledged, a => Assert.True(a!["reason"]!.GetValue<string>().Length >= 40, $"{a["rule"]} at {a["path"]} has no real reason"));
    }

    [Fact]
    public void A_wildcard_grant_added_to_a_template_is_a_finding_no_reason_covers()
    {
        using var temp = new TempDirectory();
        var raw = ExampleAccounts.Raw("stg");
        var t = new ResolvedTemplate(raw, ExampleAccounts.Account("stg"));
        var record = ExampleAccounts.ServiceRoleOf(t, t.ProjectRunning("git promote record")).Id;
        TemplateEdits.AllowOnRole(raw, record, "ssm:*");
        var path = Path.Combine(temp.Path, "orders-service-stg.template.json");
        File.WriteAllText(path, raw.ToJsonString());

        var findings = Describe(Run([path])["findings"]).ToList();

        Assert.Contains(findings, f => f.StartsWith("AwsSolutions-IAM5[Action::ssm:*] at orders-service-stg/Template/Widened", StringComparison.Ordinal));
    }
}
