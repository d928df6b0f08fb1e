using System.Security.Cryptography;
using System.Text.Json;
using Amazon.CDK;
using GitPromote.TestSupport;

namespace GitPromote.Cdk.Tests;

[Collection(PromotedSetCollection.Name)]
public sealed class BinaryTests(PromotedSetFixture set)
{
    [Fact]
    public void The_release_tarball_is_a_file_asset_the_gate_and_record_builds_download_and_may_read()
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(set.AssetsPath("prd")));
        var file = Assert.Single(assets.RootElement.GetProperty("files").EnumerateObject(), f =>
            f.Value.GetProperty("source").GetProperty("path").GetString()!.EndsWith(".tar.gz"));
        Assert.Equal("file", file.Value.GetProperty("source").GetProperty("packaging").GetString());
        var key = Assert.Single(file.Value.GetProperty("destinations").EnumerateObject()).Value.GetProperty("objectKey").GetString();
        Assert.EndsWith(".gz", key);

        foreach (var project in set.Prd.Resources("AWS::CodeBuild::Project").Where(p => PipelineTests.BuildSpec(p.Properties).Contains("git promote ")))
        {
            Assert.Equal(key, PipelineTests.Variable(project.Properties, "GIT_PROMOTE_KEY"));
            Assert.Equal("cdk-hnb659fds-assets-333333333333-eu-west-1", PipelineTests.Variable(project.Properties, "GIT_PROMOTE_BUCKET"));
            Assert.Contains("aws s3 cp --only-show-errors \"s3://$GIT_PROMOTE_BUCKET/$GIT_PROMOTE_KEY\"", PipelineTests.BuildSpec(project.Properties));
            var role = project.Properties.GetProperty("ServiceRole").GetProperty("Fn::GetAtt")[0].GetString()!;
            var read = Assert.Single(set.Prd.StatementsOfRole(role), s => s.Sid == "ReadGitPromoteBinary");
            Assert.Equal(["s3:GetObject"], read.Actions);
            Assert.Equal([$"arn:${{AWS::Partition}}:s3:::cdk-hnb659fds-assets-333333333333-eu-west-1/{key}"], read.Resources);
        }
    }

    [Fact]
    public void The_asset_is_named_by_the_tarballs_bytes_and_the_builds_expect_exactly_their_sha256()
    {
        using var other = new TempDirectory();
        var tarball = PromotedSet.Tarball(Path.Combine(other.Path, "dist"), "different bytes, same version");
        var app = new App(new AppProps { Outdir = Path.Combine(other.Path, "out"), AnalyticsReporting = false });
        var stack = PromotedSet.NewStack(app, "prd");
        new PromotedEnvironment(stack, "Promoted", PromotedSet.Props(stack, "prd", GitPromoteBinary.FromTarball(tarball)));
        app.Synth();
        var rebuilt = Cfn.Load(Path.Combine(other.Path, "out", "orders-prd.template.json"));

        var (key, sha) = Binary(set.Prd);
        var (rebuiltKey, rebuiltSha) = Binary(rebuilt);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(set.Directory, "dist", Path.GetFileName(tarball))))), sha);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tarball))), rebuiltSha);
        Assert.NotEqual(sha, rebuiltSha);
        Assert.NotEqual(key, rebuiltKey);
    }

    [Fact]
    public void The_build_checks_the_downloaded_tarball_against_that_sha256_before_it_unpacks_it()
    {
        var project = set.Prd.Resources("AWS::CodeBuild::Project").First(p => PipelineTests.BuildSpec(p.Properties).Contains("git promote "));
        var commands = PipelineTests.BuildSpec(project.Properties);
        var check = commands.IndexOf("sha256sum --check --strict", StringComparison.Ordinal);
        Assert.True(check > 0, commands);
        Assert.True(check < commands.IndexOf("tar -xzf", StringComparison.Ordinal), commands);
        Assert.Contains("\"$GIT_PROMOTE_SHA256  $dir.tar.gz\"", commands);
    }

    private static (string Key, string Sha256) Binary(Cfn template)
    {
        var project = template.Resources("AWS::CodeBuild::Project").First(p => PipelineTests.BuildSpec(p.Properties).Contains("git promote ")).Properties;
        return (PipelineTests.Variable(project, "GIT_PROMOTE_KEY")!, PipelineTests.Variable(project, "GIT_PROMOTE_SHA256")!);
    }
}
