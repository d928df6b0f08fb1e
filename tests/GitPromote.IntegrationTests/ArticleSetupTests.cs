namespace GitPromote.IntegrationTests;

/// <summary>
/// The article's set-up as a platform engineer builds it from README.md and docs/aws.md (issue 28): three AWS accounts
/// (moto, reached through <c>role_arn</c> + <c>source_profile</c> profiles, one per account), CodeCommit remotes in
/// git-remote-codecommit's <c>codecommit::REGION://PROFILE@REPO</c> form (a stand-in helper maps them onto bare
/// repositories), one committed policy with a profile per environment, and each pipeline step run as CodeBuild runs it:
/// a fresh clone whose only remote is <c>origin</c>, the step's role as environment credentials, no <c>~/.aws</c>.
/// Each assertion is a step of that walk; on the main of that day each of them failed.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class ArticleSetupTests : IDisposable
{
    private static readonly Dictionary<string, string> Accounts = new()
    {
        ["dev"] = "111111111111",
        ["stg"] = "222222222222",
        ["prd"] = "333333333333",
    };

    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public ArticleSetupTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
        // People have a profile per account and no keys in their shell.
        _aws.WithoutEnvironmentKeys();
        _aws.AddStaticProfile("sso-base");
        foreach (var (env, account) in Accounts)
            _aws.AddAssumeRoleProfile(Profile(env), $"arn:aws:iam::{account}:role/developer", "sso-base");

        // git-remote-codecommit's URLs, served from bare repositories: <root>/cc/<profile>/<repository>.git.
        var bin = Path.Combine(_s.Root, "bin");
        Directory.CreateDirectory(bin);
        Sandbox.WriteScript(Path.Combine(bin, "git-remote-codecommit"), """
            #!/bin/sh
            # Stand-in for git-remote-codecommit: $2 is <region>://[<profile>@]<repository>.
            rest=${2#*://}
            case "$rest" in *@*) profile=${rest%@*}; repo=${rest##*@} ;; *) profile=default; repo=$rest ;; esac
            exec git -c protocol.ext.allow=always remote-ext "$1" "git %s $CODECOMMIT_ROOT/$profile/$repo.git"
            """);
        _s.Environment["CODECOMMIT_ROOT"] = Path.Combine(_s.Root, "cc");
        _s.Environment["PATH"] = bin + ":" + Path.Combine(installed.Prefix, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private string Profile(string env) => $"{_aws.Service}-{env}";

    /// <summary>The policy as the docs show it: each environment's account by its profile, records in SSM.</summary>
    private string Policy(string devRegion = AwsWorld.Region) => $$"""
        version: 1
        name: {{_aws.Service}}
        branches: [main]
        environments:
          - name: dev
            remotes: [dev, origin]
            aws: { region: {{devRegion}}, profile: {{Profile("dev")}} }
            evidence:
              - ssm: {}
          - name: stg
            remotes: [stg]
            aws: { region: eu-west-1, profile: {{Profile("stg")}} }
            evidence:
              - ssm: {}
          - name: prd
            remotes: [prd]
            aws: { region: eu-west-1, profile: {{Profile("prd")}} }
            evidence:
              - ssm: {}
        rollback: previously-green
        bypass:
          justification: '^[A-Z]+-[0-9]+: .{10,}'
        timeout: 10s

        """;

    /// <summary>The repository of <paramref name="env"/> in its account, named as the construct of that day named it in every account.</summary>
    private string Repository(string env, string name)
    {
        var path = Path.Combine(_s.Root, "cc", Profile(env), name + ".git");
        _s.Git(_s.Root, "init", "--quiet", "--bare", path).EnsureOk();
        return path;
    }

    /// <summary>A developer's clone with codecommit:: remotes for the three accounts, the policy committed, the guard installed.</summary>
    private string Clone(string repositoryName = "orders-service", string? policy = null)
    {
        var app = Path.Combine(_s.Root, "app");
        _s.Git(_s.Root, "init", "--quiet", app).EnsureOk();
        foreach (var env in Accounts.Keys)
        {
            Repository(env, repositoryName);
            _s.Git(app, "remote", "add", env, $"codecommit::eu-west-1://{Profile(env)}@{repositoryName}").EnsureOk();
        }
        File.WriteAllText(Path.Combine(app, ".promote.yml"), policy ?? Policy());
        _s.Commit(app, "v1");
        _s.Promote(app, "install").EnsureOk();
        return app;
    }

    /// <summary>Keys of a role in an account, as CodeBuild hands a build its role (moto ties assumed keys to the role's account).</summary>
    private Dictionary<string, string?> RoleCredentials(string env, string role)
    {
        var run = _aws.AwsCli("sts", "assume-role", "--role-arn", $"arn:aws:iam::{Accounts[env]}:role/{role}", "--role-session-name", "codebuild",
            "--query", "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]", "--output", "text").EnsureOk();
        var parts = run.Stdout.Trim().Split('\t');
        return new()
        {
            ["AWS_ACCESS_KEY_ID"] = parts[0],
            ["AWS_SECRET_ACCESS_KEY"] = parts[1],
            ["AWS_SESSION_TOKEN"] = parts[2],
        };
    }

    /// <summary>
    /// A pipeline step of <paramref name="env"/>: a fresh clone of its repository with only <c>origin</c>, at
    /// <paramref name="commit"/>; the step's role as keys in the environment; an empty HOME (no profiles); the region and
    /// CodeBuild's source variable.
    /// </summary>
    private Run PipelineStep(string env, string commit, string[] command, Dictionary<string, string?>? more = null, string repositoryName = "orders-service")
    {
        var source = Path.Combine(_s.Root, "build-" + env + "-" + Guid.NewGuid().ToString("N")[..6]);
        _s.Git(_s.Root, "clone", "--quiet", Path.Combine(_s.Root, "cc", Profile(env), repositoryName + ".git"), source).EnsureOk();
        _s.Git(source, "checkout", "--quiet", "--detach", commit).EnsureOk();
        var home = Path.Combine(_s.Root, "codebuild-home-" + env);
        Directory.CreateDirectory(home);
        var variables = RoleCredentials(env, $"promote-{_aws.Service}-{env}-{command[0]}-build");
        variables["HOME"] = home;
        variables["AWS_REGION"] = AwsWorld.Region;
        variables["CODEBUILD_RESOLVED_SOURCE_VERSION"] = commit;
        if (more is not null) foreach (var (k, v) in more) variables[k] = v;
        return _s.Exec(source, _s.Installed.BinaryPath, command, env: variables);
    }

    private string PolicyParameter => $"/promote/{_aws.Service}/policy";

    private Run AwsCliIn(string env, params string[] args)
    {
        var keys = RoleCredentials(env, "auditor");
        return _s.Exec(_s.Root, "aws", args, env: new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(),
            ["AWS_ENDPOINT_URL_SSM"] = null,
            ["AWS_ENDPOINT_URL_STS"] = null,
            ["AWS_DEFAULT_REGION"] = AwsWorld.Region,
            ["AWS_PAGER"] = "",
            ["AWS_ACCESS_KEY_ID"] = keys["AWS_ACCESS_KEY_ID"],
            ["AWS_SECRET_ACCESS_KEY"] = keys["AWS_SECRET_ACCESS_KEY"],
            ["AWS_SESSION_TOKEN"] = keys["AWS_SESSION_TOKEN"],
        });
    }

    [Fact]
    public void A_push_to_each_account_is_judged_for_its_own_environment_when_the_repositories_share_a_name()
    {
        var app = Clone();

        var dev = _s.Git(app, "push", "dev", "main");
        var stg = _s.Git(app, "push", "stg", "main");

        // Step: push to dev. It is the first environment: nothing to check, whatever the other remotes' URLs.
        Assert.True(dev.ExitCode == 0, dev.Output);
        Assert.DoesNotContain("checked as a push to prd", dev.Output);
        Assert.NotNull(_s.RemoteRef(Path.Combine(_s.Root, "cc", Profile("dev"), "orders-service.git"), "refs/heads/main"));
        // Step: push to stg before dev's pipeline recorded it: refused as a push to stg, saying which account it looked in.
        Assert.Equal(1, stg.ExitCode);
        Assert.DoesNotContain("checked as a push to prd", stg.Output);
        Assert.Contains("is not green in dev", stg.Output);
        Assert.Contains($"looked in dev: account {Accounts["dev"]} in eu-west-1", stg.Output);
        Assert.Contains($"profile {Profile("dev")}", stg.Output);
    }

    [Fact]
    public void One_url_for_every_account_routes_by_the_remotes_name_and_doctor_says_the_url_cannot_tell_them_apart()
    {
        var app = Path.Combine(_s.Root, "app");
        _s.Git(_s.Root, "init", "--quiet", app).EnsureOk();
        // The https form is the same in every account; so is the helper's form without a profile.
        const string Url = "codecommit::eu-west-1://orders-service";
        Directory.CreateDirectory(Path.Combine(_s.Root, "cc", "default"));
        _s.Git(_s.Root, "init", "--quiet", "--bare", Path.Combine(_s.Root, "cc", "default", "orders-service.git")).EnsureOk();
        foreach (var env in Accounts.Keys) _s.Git(app, "remote", "add", env, Url).EnsureOk();
        File.WriteAllText(Path.Combine(app, ".promote.yml"), Policy());
        _s.Commit(app, "v1");
        _s.Promote(app, "install").EnsureOk();

        var dev = _s.Git(app, "push", "dev", "main");
        _s.Commit(app, "v2");
        var byUrl = _s.Git(app, "push", Url, "main");
        var doctor = _s.Promote(app, "doctor");

        Assert.True(dev.ExitCode == 0, dev.Output);
        Assert.DoesNotContain("checked as a push to", dev.Output);
        Assert.Equal(1, byUrl.ExitCode);
        Assert.Contains("does not say which environment", byUrl.Output);
        Assert.Contains("git push prd", byUrl.Output);
        Assert.Contains("are one URL", doctor.Output);
    }

    [Fact]
    public void The_policy_the_team_commits_serves_people_and_pipelines_and_every_step_names_the_account_it_used()
    {
        var app = Clone();
        var v1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();

        // Step: publish the committed policy into each account, with that account's profile.
        foreach (var env in Accounts.Keys)
        {
            var publish = _s.Promote(app, "policy", "publish", env);
            Assert.True(publish.ExitCode == 0, publish.Output);
            Assert.Contains($"in account {Accounts[env]}, region eu-west-1", publish.Output);
            Assert.Contains(_aws.Service, AwsCliIn(env, "ssm", "get-parameter", "--name", PolicyParameter, "--query", "Parameter.Value",
                "--output", "text").EnsureOk().Stdout);
        }
        var firstPublish = _s.Promote(app, "policy", "publish", "dev");
        Assert.Contains("git promote record dev --policy ssm:", firstPublish.Output);
        Assert.DoesNotContain("git promote gate dev", firstPublish.Output);

        // Step: dev's pipeline deploys v1 and records it, with its role and the pinned policy that names profiles it lacks.
        _s.Git(app, "push", "dev", "main").EnsureOk();
        var record = PipelineStep("dev", v1, ["record", "dev", "--policy", "ssm:" + PolicyParameter]);
        Assert.True(record.ExitCode == 0, record.Output);
        Assert.Contains($"profile {Profile("dev")} is not configured here", record.Output);
        Assert.Contains($"account {Accounts["dev"]}", record.Output);

        // Step: a developer promotes it to stg, read in dev's account with dev's profile.
        var push = _s.Git(app, "push", "stg", "main");
        Assert.True(push.ExitCode == 0, push.Output);

        // Step: stg's gate reads dev through dev's evidence reader role, and its own account with its role.
        var reader = new Dictionary<string, string?>
        {
            ["PROMOTE_AWS_ROLE_DEV"] = $"arn:aws:iam::{Accounts["dev"]}:role/promote-{_aws.Service}-dev-evidence-reader",
        };
        var gate = PipelineStep("stg", v1, ["gate", "stg", "--policy", "ssm:" + PolicyParameter], reader);
        Assert.True(gate.ExitCode == 0, gate.Output);
        Assert.Contains("ADMITTED", gate.Output);
        Assert.Contains($"read dev in account {Accounts["dev"]}", gate.Output);
        Assert.Contains($"read stg in account {Accounts["stg"]}", gate.Output);

        // Step: a gate whose project lacks dev's role looks in its own account: refused, and it says both are one account.
        var lost = PipelineStep("stg", v1, ["gate", "stg", "--policy", "ssm:" + PolicyParameter]);
        Assert.Equal(1, lost.ExitCode);
        Assert.Contains($"read dev in account {Accounts["stg"]}", lost.Output);
        Assert.Contains($"dev and stg both reach account {Accounts["stg"]}", lost.Output);
    }

    [Fact]
    public void A_developer_policy_in_the_wrong_region_is_refused_naming_the_region_it_looked_in()
    {
        var app = Clone(policy: Policy(devRegion: "us-east-1"));
        var v1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        // dev's records are in eu-west-1, where its pipeline runs (its policy file says so); the clone's policy says us-east-1.
        PipelineStep("dev", v1, ["record", "dev", "--policy", _s.PipelinePolicy(Policy())]).EnsureOk();

        var push = _s.Git(app, "push", "stg", "main");

        Assert.Equal(1, push.ExitCode);
        Assert.Contains($"looked in dev: account {Accounts["dev"]} in us-east-1", push.Output);
    }
}
