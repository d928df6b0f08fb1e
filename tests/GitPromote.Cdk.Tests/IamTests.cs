using System.Text.Json;

namespace GitPromote.Cdk.Tests;

[Collection(PromotedSetCollection.Name)]
public sealed class IamTests(PromotedSetFixture set)
{
    /// <summary>
    /// Actions with a trailing wildcard that the CDK itself grants for the pipeline's artifact bucket (its
    /// grantRead/grantReadWrite); allowed only on that bucket. Everything the construct writes names exact actions.
    /// </summary>
    private static readonly string[] CdkArtifactBucketActions = ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"];

    [Fact]
    public void Stg_evidence_reader_is_assumable_only_by_the_prd_gate_role()
    {
        var (_, reader) = set.Stg.RoleNamed("promote-orders-stg-evidence-reader");
        var statement = Assert.Single(reader.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement").EnumerateArray());
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        Assert.Equal("arn:${AWS::Partition}:iam::333333333333:root", Cfn.Flatten(statement.GetProperty("Principal").GetProperty("AWS")));
        var condition = Assert.Single(statement.GetProperty("Condition").EnumerateObject());
        Assert.Equal("ArnEquals", condition.Name);
        var principalArn = Assert.Single(condition.Value.EnumerateObject());
        Assert.Equal("aws:PrincipalArn", principalArn.Name);
        Assert.Equal("arn:${AWS::Partition}:iam::333333333333:role/git-promote/promote-orders-prd-gate-build", Cfn.Flatten(principalArn.Value));

        // And that name, under that path, is the role prd's gate build runs as.
        Assert.Equal("/git-promote/", set.Prd.RoleNamed("promote-orders-prd-gate-build").Properties.GetProperty("Path").GetString());
    }

    [Fact]
    public void Dev_reader_trusts_stg_gate_and_prd_the_last_has_no_reader()
    {
        var (_, reader) = set.Dev.RoleNamed("promote-orders-dev-evidence-reader");
        Assert.Contains("iam::222222222222:role/git-promote/promote-orders-stg-gate-build", reader.GetProperty("AssumeRolePolicyDocument").GetRawText());
        Assert.DoesNotContain(set.Prd.Resources("AWS::IAM::Role"), r => r.Properties.TryGetProperty("RoleName", out var n)
            && n.GetString()!.EndsWith("-evidence-reader"));
    }

    [Fact]
    public void No_statement_allows_every_action_of_anything_and_our_statements_name_exact_actions()
    {
        foreach (var statement in set.All.SelectMany(t => t.IdentityStatements()))
        {
            foreach (var action in statement.Actions)
            {
                Assert.False(action == "*" || action.EndsWith(":*"), $"{statement.PolicyId} allows {action}");
                if (action.Contains('*'))
                {
                    Assert.Contains(action, CdkArtifactBucketActions);
                    Assert.All(statement.Resources, r => Assert.StartsWith("${PromotedPipelineArtifactsBucket", r));
                }
            }
        }
    }

    [Fact]
    public void No_statement_has_a_star_resource()
    {
        // None of the resources here needs "*" (sts:GetCallerIdentity, the only call that would, needs no permission).
        foreach (var statement in set.All.SelectMany(t => t.IdentityStatements()))
            Assert.DoesNotContain("*", statement.Resources);
    }

    [Theory]
    [InlineData("dev", "111111111111")]
    [InlineData("stg", "222222222222")]
    [InlineData("prd", "333333333333")]
    public void Ssm_resources_are_this_environments_evidence_path_or_the_pinned_policy(string environment, string account)
    {
        var cfn = Of(environment);
        var ssm = cfn.IdentityStatements().Where(s => s.Actions.Any(a => a.StartsWith("ssm:"))).ToList();
        Assert.NotEmpty(ssm);
        var evidence = $"arn:${{AWS::Partition}}:ssm:eu-west-1:{account}:parameter/promote/orders/{environment}/";
        var policy = $"arn:${{AWS::Partition}}:ssm:eu-west-1:{account}:parameter/promote/orders/policy";
        foreach (var statement in ssm)
        {
            // The root itself only to list it (history's one recursive listing): a recursive listing reads all below it.
            Assert.All(statement.Resources, r => Assert.True(r.StartsWith(evidence)
                || (r == policy && statement.Actions.SequenceEqual(["ssm:GetParameter"]))
                || (r == evidence.TrimEnd('/') && statement.Actions.SequenceEqual(["ssm:GetParametersByPath"])),
                $"{statement.PolicyId} {statement.Sid}: {r}"));
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("stg")]
    [InlineData("prd")]
    public void Only_the_record_role_writes_green_and_deployment_events_developers_only_bypass_and_approval_and_prune_only_deletes(string environment)
    {
        var cfn = Of(environment);
        var root = $"arn:${{AWS::Partition}}:ssm:eu-west-1:{PromotedSet.Accounts[environment]}:parameter/promote/orders/{environment}/";
        var recordRole = cfn.Resources("AWS::IAM::Role").Single(r => r.Properties.TryGetProperty("Description", out var d)
            && Cfn.Flatten(d).StartsWith("git promote record")).Id;
        var pruneRole = cfn.RoleNamed($"promote-orders-{environment}-prune-build").Id;
        var developer = cfn.Resources("AWS::IAM::ManagedPolicy").Single().Id;

        var writes = cfn.IdentityStatements().Where(s => Allows(s) &&
            s.Actions.Any(a => a.StartsWith("ssm:Put") || a.StartsWith("ssm:Delete") || a.StartsWith("ssm:Label"))).ToList();
        Assert.Equal(3, writes.Count);
        var pruneDelete = Assert.Single(writes, s => s.Roles.Contains("${" + pruneRole + "}"));
        Assert.Equal(["ssm:GetParameters", "ssm:DeleteParameters"], pruneDelete.Actions);
        Assert.Equal([root + "green/*", root + "approval/*", root + "deploy/*"], pruneDelete.Resources);
        var recordWrite = Assert.Single(writes, s => s.Roles.Contains("${" + recordRole + "}"));
        Assert.Equal(["ssm:PutParameter"], recordWrite.Actions);
        Assert.Equal([root + "green/*", root + "deploy/*"], recordWrite.Resources);
        var developerWrite = Assert.Single(writes, s => s.PolicyId == developer);
        Assert.Equal(["ssm:PutParameter"], developerWrite.Actions);
        Assert.Equal([root + "bypass/*", root + "approval/*"], developerWrite.Resources);

        // What is written once (bypasses, approvals, revocations, lifted revocations, deployment events) cannot be rewritten by any
        // role or policy of the construct: PutParameter with Overwrite is denied there. Green is written again with Overwrite (a redeploy).
        var rewrites = cfn.IdentityStatements().Where(s => !Allows(s)).ToList();
        Assert.NotEmpty(rewrites);
        foreach (var owner in new[] { "${" + recordRole + "}", "${" + pruneRole + "}", developer })
            Assert.Single(rewrites, s => s.Roles.Contains(owner) || s.PolicyId == owner);
        foreach (var deny in rewrites)
        {
            Assert.Equal(["ssm:PutParameter"], deny.Actions);
            Assert.Equal(new[] { "bypass", "approval", "revoked", "revoked-lifted", "deploy" }.Select(f => root + f + "/*"), deny.Resources);
            var condition = Assert.Single(deny.Json.GetProperty("Condition").EnumerateObject());
            Assert.Equal("Bool", condition.Name);
            var key = Assert.Single(condition.Value.EnumerateObject());
            Assert.Equal(("ssm:Overwrite", "true"), (key.Name, key.Value.GetString()));
        }
    }

    private static bool Allows(Statement s) => s.Json.GetProperty("Effect").GetString() == "Allow";

    [Fact]
    public void Developer_policy_reads_evidence_lists_the_pipeline_and_writes_bypass_and_approval_nothing_else()
    {
        var (_, developer) = Assert.Single(set.Stg.Resources("AWS::IAM::ManagedPolicy"));
        Assert.Equal("promote-orders-stg-developer", developer.GetProperty("ManagedPolicyName").GetString());
        var statements = developer.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray().Select(s => new Statement("dev", [], s)).ToList();
        Assert.Equal(["ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParametersByPath", "codepipeline:ListPipelineExecutions", "ssm:PutParameter",
                "ssm:PutParameter", "ssm:GetParameterHistory"],
            statements.SelectMany(s => s.Actions));
        Assert.Equal(["Allow", "Allow", "Allow", "Allow", "Deny", "Allow"], statements.Select(s => s.Json.GetProperty("Effect").GetString()));
        Assert.Equal(["arn:${AWS::Partition}:ssm:eu-west-1:222222222222:parameter/promote/orders/stg"], statements[1].Resources);
        Assert.Equal(["arn:${AWS::Partition}:codepipeline:eu-west-1:222222222222:orders-stg"], statements[2].Resources);
    }

    [Fact]
    public void Evidence_reader_reads_green_and_revoked_and_lists_this_pipelines_executions_only()
    {
        var (id, _) = set.Stg.RoleNamed("promote-orders-stg-evidence-reader");
        var statements = set.Stg.StatementsOfRole(id).Where(Allows).ToList();
        Assert.Equal(2, statements.Count);
        var root = "arn:${AWS::Partition}:ssm:eu-west-1:222222222222:parameter/promote/orders/stg/";
        Assert.Equal(["ssm:GetParameters", "ssm:GetParametersByPath"], statements[0].Actions);
        Assert.Equal(new[] { "green", "revoked" }.SelectMany(f => new[] { root + f, root + f + "/*" }), statements[0].Resources);
        Assert.Equal(["codepipeline:ListPipelineExecutions"], statements[1].Actions);
        Assert.Equal(["arn:${AWS::Partition}:codepipeline:eu-west-1:222222222222:orders-stg"], statements[1].Resources);
    }

    [Fact]
    public void Prd_gate_may_assume_only_the_stg_reader_and_read_only_its_own_evidence()
    {
        var (id, _) = set.Prd.RoleNamed("promote-orders-prd-gate-build");
        var statements = set.Prd.StatementsOfRole(id).ToList();
        var assume = Assert.Single(statements, s => s.Actions.Any(a => a.StartsWith("sts:")));
        Assert.Equal(["arn:${AWS::Partition}:iam::222222222222:role/promote-orders-stg-evidence-reader"], assume.Resources);
        Assert.DoesNotContain(statements, s => Allows(s) && s.Actions.Any(a => a.StartsWith("ssm:Put")));
    }

    private Cfn Of(string environment) => environment switch { "dev" => set.Dev, "stg" => set.Stg, _ => set.Prd };
}
