using System.Text.Json;
using GitPromote.Examples.Cdk;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

public sealed class ExampleSynthesis : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("cdk-example-").FullName;
    public static string Committed => Path.Combine(RepositoryRoot.Path, "examples", "cdk", "templates");

    public ExampleSynthesis() =>
        ExampleApp.Synthesize(Directory, tarball: null, File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "cdk", "promote.yml")));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>The example's committed templates (for CloudFormation and StackSets users) are exactly what the construct synthesizes.</summary>
public sealed class ExampleTemplateTests(ExampleSynthesis example) : IClassFixture<ExampleSynthesis>
{
    private const string Regenerate =
        "regenerate: dotnet run --project examples/cdk -- --outdir /tmp/cdk-example && cp /tmp/cdk-example/*.template.json examples/cdk/templates/";

    [Fact]
    public void Committed_templates_are_what_the_example_synthesizes()
    {
        var synthesized = Directory.GetFiles(example.Directory, "*.template.json").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["orders-service-dev.template.json", "orders-service-prd.template.json", "orders-service-stg.template.json"], synthesized);
        Assert.Equal(synthesized, Directory.GetFiles(ExampleSynthesis.Committed, "*.template.json").Select(Path.GetFileName).Order().ToList());
        foreach (var name in synthesized)
        {
            var expected = File.ReadAllText(Path.Combine(example.Directory, name!));
            var committed = File.ReadAllText(Path.Combine(ExampleSynthesis.Committed, name!)).ReplaceLineEndings("\n");
            Assert.True(expected == committed, $"examples/cdk/templates/{name} is out of date with the construct; {Regenerate}");
        }
    }

    [Fact]
    public void Committed_templates_need_no_cdk_bootstrap_and_require_the_binary_location_and_digest_from_the_deployer()
    {
        foreach (var path in Directory.GetFiles(ExampleSynthesis.Committed, "*.template.json"))
        {
            var cfn = Cfn.Load(path);
            Assert.False(cfn.Root.TryGetProperty("Rules", out _), $"{path} checks a CDK bootstrap version");
            Assert.DoesNotContain("cdk-hnb659fds", File.ReadAllText(path));
            var parameters = cfn.Root.GetProperty("Parameters");
            Assert.Equal(["GitPromoteBinaryBucket", "GitPromoteBinaryKey", "GitPromoteBinarySha256"], parameters.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal("^[0-9a-f]{64}$", parameters.GetProperty("GitPromoteBinarySha256").GetProperty("AllowedPattern").GetString());
            Assert.All(parameters.EnumerateObject(), p => Assert.False(p.Value.TryGetProperty("Default", out _), $"{p.Name} has a default"));
        }
    }

    [Fact]
    public void Stg_pipeline_is_named_as_the_policys_codepipeline_evidence_says()
    {
        var stg = Cfn.Load(Path.Combine(ExampleSynthesis.Committed, "orders-service-stg.template.json"));
        Assert.Equal("orders-service-stg", stg.Pipeline.GetProperty("Name").GetString());
        Assert.Equal(JsonValueKind.Object, stg.RoleNamed("promote-orders-service-stg-evidence-reader").Properties.ValueKind);
    }
}
