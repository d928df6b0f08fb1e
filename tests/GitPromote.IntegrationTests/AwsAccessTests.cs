using System.Text.Json;
using System.Text.RegularExpressions;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Each environment reaches its account with its own credentials, in the published binary: a <c>role_arn</c> assumed
/// through STS, an assume-role profile, and per-environment IAM permissions enforced by moto.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class AwsAccessTests : IDisposable
{
    private const string GoodJustification = "INC-9: checkout down, approved by on-call lead";
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public AwsAccessTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    [Theory]
    [InlineData("role_arn", "role_arn: 'arn:aws:iam::123456789012:role/stg-reader'", "role_arn: 'arn:aws:iam::123456789012:role/prd-reader'",
        "arn:aws:sts::123456789012:assumed-role/stg-reader/git-promote-stg")]
    [InlineData("assume-role profile", "profile: orders-stg", "profile: orders-prd", "arn:aws:sts::123456789012:assumed-role/stg-deployer/")]
    public void An_environment_that_assumes_a_role_records_and_reads_as_that_role(string how, string stgAccess, string prdAccess, string expectedArn)
    {
        if (how == "assume-role profile")
        {
            _aws.AddStaticProfile("ci-base");
            _aws.AddAssumeRoleProfile("orders-stg", "arn:aws:iam::123456789012:role/stg-deployer", "ci-base");
            _aws.AddAssumeRoleProfile("orders-prd", "arn:aws:iam::123456789012:role/prd-deployer", "ci-base");
            _aws.WithoutEnvironmentKeys();
        }
        var app = _s.Project(_aws.Policy(stgAws: $"{{ region: eu-west-1, {stgAccess} }}", prdAws: $"{{ region: eu-west-1, {prdAccess} }}"));
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

        _s.Record(app, "stg", head).EnsureOk();
        var push = _s.Git(app, "push", "prd", $"{head}:refs/heads/main").EnsureOk();
        var audit = _s.Promote(app, "audit", "prd").EnsureOk();

        Assert.Contains("green in stg (ssm", push.Stderr);
        Assert.Equal(head, _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));
        Assert.Contains("no bypasses recorded in prd", audit.Stdout);
        // stg's role for `record`; stg's and prd's for the push (prd's revocations); prd's for `audit`: each environment assumed its own.
        Assert.Equal(4, _aws.Requests["AssumeRole"]);
        var parameter = _aws.AwsCli("ssm", "get-parameter", "--name", _aws.Green("stg", head), "--output", "json").EnsureOk();
        using var value = JsonDocument.Parse(JsonDocument.Parse(parameter.Stdout).RootElement.GetProperty("Parameter").GetProperty("Value").GetString()!);
        Assert.StartsWith(expectedArn, value.RootElement.GetProperty("recordedBy").GetString());
    }

    /// <summary>
    /// moto with IAM enforcement on: stg's reader may read; prd's identity may read but not write. stg answers, the
    /// bypass record cannot be written to prd, so the bypass is refused and nothing reaches prd.
    /// </summary>
    [Fact]
    public async Task A_bypass_is_refused_when_prd_denies_writing_its_record()
    {
        using var moto = await MotoServer.StartAsync();
        const string read = """{"Version":"2012-10-17","Statement":["""
            + """{"Effect":"Allow","Action":["ssm:GetParameters","ssm:GetParametersByPath","sts:GetCallerIdentity"],"Resource":"*"}]}""";
        var (stgKey, stgSecret) = await Iam.UserWithPolicyAsync(moto.DirectEndpoint, "stg-reader", read);
        var (prdKey, prdSecret) = await Iam.UserWithPolicyAsync(moto.DirectEndpoint, "prd-reader", read);
        await Iam.EnforceAsync(moto.DirectEndpoint);
        _aws.AddStaticProfile("orders-stg", stgKey, stgSecret);
        _aws.AddStaticProfile("orders-prd", prdKey, prdSecret);
        _aws.WithoutEnvironmentKeys();
        _s.Environment["AWS_ENDPOINT_URL_SSM"] = moto.DirectEndpoint.ToString();
        _s.Environment["AWS_ENDPOINT_URL_STS"] = moto.DirectEndpoint.ToString();
        var app = _s.Project(_aws.Policy(stgAws: "{ region: eu-west-1, profile: orders-stg }", prdAws: "{ region: eu-west-1, profile: orders-prd }"));

        var push = _s.Exec(app, "git", ["push", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = GoodJustification });

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("the bypass could not be recorded, so it is not allowed", push.Stderr);
        Assert.Contains($"ssm:PutParameter on /promote/{_aws.Service}/prd/bypass/* for prd", push.Stderr);
        Assert.Contains("prd (profile orders-prd, region eu-west-1)", push.Stderr);
        Assert.Contains("access denied", push.Stderr);
        Assert.DoesNotContain("   at ", push.Stderr);
        Assert.Equal("", _s.RemoteRef(Path.Combine(_s.Root, "prd.git"), "refs/heads/main"));
    }

    /// <summary>IAM set-up in moto through its query API (before enforcement is switched on, any signature is accepted).</summary>
    private static class Iam
    {
        public static async Task<(string KeyId, string Secret)> UserWithPolicyAsync(Uri moto, string user, string policy)
        {
            await CallAsync(moto, ("Action", "CreateUser"), ("UserName", user));
            await CallAsync(moto, ("Action", "PutUserPolicy"), ("UserName", user), ("PolicyName", "access"), ("PolicyDocument", policy));
            var key = await CallAsync(moto, ("Action", "CreateAccessKey"), ("UserName", user));
            return (Regex.Match(key, "<AccessKeyId>([^<]+)</AccessKeyId>").Groups[1].Value,
                Regex.Match(key, "<SecretAccessKey>([^<]+)</SecretAccessKey>").Groups[1].Value);
        }

        /// <summary>From now on moto authenticates every request and evaluates the caller's IAM policies.</summary>
        public static async Task EnforceAsync(Uri moto)
        {
            using var http = new HttpClient();
            using var response = await http.PostAsync(new Uri(moto, "moto-api/reset-auth"), new StringContent("0"));
            response.EnsureSuccessStatusCode();
        }

        private static async Task<string> CallAsync(Uri moto, params (string Key, string Value)[] form)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, moto)
            {
                Content = new FormUrlEncodedContent([.. form.Select(f => KeyValuePair.Create(f.Key, f.Value)), KeyValuePair.Create("Version", "2010-05-08")]),
            };
            // moto routes by the credential scope's service; the signature itself is not checked before enforcement.
            request.Headers.TryAddWithoutValidation("Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"IAM {form[0].Value} failed: {body}");
            return body;
        }
    }
}
