using System.Text.Json;
using Amazon.CDK;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

/// <summary>
/// The builds' CodeBuild Lambda image (python3.13 by default, another Amazon Linux 2023 one by choice) and the regions
/// where CodeBuild has Lambda compute: elsewhere synthesis stops, or, for a stack without a region, the deployment does.
/// </summary>
public sealed class LambdaComputeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private Cfn Synth(string? region, BuildCompute compute = BuildCompute.Lambda, string? image = null)
    {
        var outdir = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N"));
        var app = new App(new AppProps { Outdir = outdir, AnalyticsReporting = false });
        var stack = new Stack(app, "orders-stg", new StackProps
        {
            Env = region is null ? null : new Amazon.CDK.Environment { Account = PromotedSet.Accounts["stg"], Region = region },
        });
        var props = PromotedSet.Props(stack, "stg", GitPromoteBinary.FromTemplateParameters());
        _ = new PromotedEnvironment(stack, "Promoted", new PromotedEnvironmentProps
        {
            Environment = props.Environment,
            Policy = props.Policy,
            Accounts = props.Accounts,
            Binary = props.Binary,
            DeployStages = props.DeployStages,
            Compute = compute,
            LambdaImage = image ?? LambdaImages.Default,
        });
        app.Synth();
        return Cfn.Load(Path.Combine(outdir, "orders-stg.template.json"));
    }

    private static IEnumerable<JsonElement> PromoteBuilds(Cfn t) =>
        t.Resources("AWS::CodeBuild::Project").Select(p => p.Properties).Where(p => PipelineTests.BuildSpec(p).Contains("git promote "));

    [Fact]
    public void Another_Amazon_Linux_2023_image_may_be_chosen_by_its_tag()
    {
        var t = Synth("eu-west-1", image: "corretto21");
        Assert.All(PromoteBuilds(t), p =>
            Assert.Equal("aws/codebuild/amazonlinux-x86_64-lambda-standard:corretto21", p.GetProperty("Environment").GetProperty("Image").GetString()));
    }

    [Theory]
    [InlineData("go1.21")]
    [InlineData("aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs18")]
    [InlineData("aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs20")]
    [InlineData("aws/codebuild/amazonlinux-aarch64-lambda-standard:python3.13")]
    public void An_Amazon_Linux_2_an_expired_or_an_arm_image_is_refused_naming_the_ones_accepted(string image)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Synth("eu-west-1", image: image));
        Assert.Contains("corretto21, dotnet8, go1.24, nodejs22, python3.12, python3.13", error.Message);
        Assert.Contains("Compute = BuildCompute.Ec2", error.Message);
    }

    [Theory]
    [InlineData("eu-south-1")]
    [InlineData("ca-central-1")]
    [InlineData("eu-west-2")]
    public void Lambda_compute_outside_the_regions_that_have_it_is_refused_naming_them_and_the_ec2_option(string region)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Synth(region));
        Assert.Equal("CodeBuild runs Lambda compute only in us-east-1, us-east-2, us-west-2, ap-south-1, ap-southeast-1, ap-southeast-2, " +
            $"ap-northeast-1, eu-central-1, eu-west-1, sa-east-1, not in {region}: set Compute = BuildCompute.Ec2 for this stack.", error.Message);

        var ec2 = Synth(region, BuildCompute.Ec2);
        Assert.All(PromoteBuilds(ec2), p => Assert.Equal("LINUX_CONTAINER", p.GetProperty("Environment").GetProperty("Type").GetString()));
    }

    [Fact]
    public void A_stack_without_a_region_gets_a_rule_that_stops_its_deployment_outside_those_regions()
    {
        var t = Synth(region: null);
        var rule = t.Root.GetProperty("Rules").GetProperty("GitPromoteLambdaComputeRegion");
        var assertion = Assert.Single(rule.GetProperty("Assertions").EnumerateArray());
        var contains = assertion.GetProperty("Assert").GetProperty("Fn::Contains");
        Assert.Equal(LambdaImages.Regions, contains[0].EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("AWS::Region", contains[1].GetProperty("Ref").GetString());
        Assert.Contains("Compute = BuildCompute.Ec2", assertion.GetProperty("AssertDescription").GetString());

        Assert.False(Synth("eu-west-1").Root.TryGetProperty("Rules", out var rules) && rules.TryGetProperty("GitPromoteLambdaComputeRegion", out _));
    }
}
