using System.Text.RegularExpressions;
using GitPromote.Core.Policy;

namespace GitPromote.Core.Tests.Policy;

public class PolicyLoaderTests
{
    /// <summary>The reference example of DESIGN.md §3, verbatim.</summary>
    public const string DesignExample = """
        version: 1
        name: orders-service            # names this service in evidence paths; default: the repo folder name
        branches: [main]                # refs that deploy (default [main]); pushes of other refs pass unchecked
        environments:                   # in promotion order; the first has no gate
          - name: dev
            remotes: [dev, origin]      # remote names, or URL globs, that deploy to this environment
            evidence:
              - git: {}                 # refs/promote/green/<sha> on this environment's remote
          - name: stg
            remotes: [stg]
            aws: { region: eu-west-1, profile: orders-stg }    # or role_arn: ...; neither: default chain
            evidence:
              - ssm: {}                 # /promote/<name>/<env>/green/<sha>
              - codepipeline: { pipeline: orders-stg, stage: Deploy }
            require: any                # any | all of the evidence sources
          - name: prd
            remotes: [prd]
            aws: { region: eu-west-1, profile: orders-prd }
            evidence:
              - ssm: {}
        rollback: previously-green      # a commit once green in the target env may go back there; or: never
        bypass:
          justification: '^[A-Z]+-[0-9]+: .{10,}'   # what a justification must match
        on_error: block                 # evidence unreachable: block (default) or allow
        timeout: 10s                    # the whole check, retries included
        """;

    private const string Minimal = """
        version: 1
        environments:
          - name: dev
            remotes: [dev]
          - name: prd
            remotes: [prd]
        """;

    private static PromotionPolicy LoadValid(string yaml, string defaultName = "my-repo")
    {
        var result = PolicyLoader.Load(yaml, ".promote.yml", defaultName);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Policy!;
    }

    private static IReadOnlyList<string> LoadErrors(string yaml, string defaultName = "my-repo")
    {
        var result = PolicyLoader.Load(yaml, ".promote.yml", defaultName);
        Assert.False(result.IsValid);
        Assert.Null(result.Policy);
        Assert.NotEmpty(result.Errors);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Design_example_loads_into_the_expected_model()
    {
        var policy = LoadValid(DesignExample);

        Assert.Equal(1, policy.Version);
        Assert.Equal("orders-service", policy.Name);
        Assert.Equal(["main"], policy.Branches);
        Assert.Equal(RollbackMode.PreviouslyGreen, policy.Rollback);
        Assert.Equal("^[A-Z]+-[0-9]+: .{10,}", policy.Bypass.Justification.ToString());
        Assert.Equal(OnErrorMode.Block, policy.OnError);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.Timeout);
        Assert.Equal(["dev", "stg", "prd"], policy.Environments.Select(e => e.Name));
        Assert.Equal([0, 1, 2], policy.Environments.Select(e => e.Index));

        var dev = policy.Environments[0];
        Assert.Equal(["dev", "origin"], dev.Remotes);
        Assert.Null(dev.Aws);
        Assert.Equal([new GitEvidence()], dev.Evidence);
        Assert.Equal(RequireMode.Any, dev.Require);

        var stg = policy.Environments[1];
        Assert.Equal(["stg"], stg.Remotes);
        Assert.Equal(new AwsAccess("eu-west-1", "orders-stg", null), stg.Aws);
        Assert.Equal<EvidenceSource>([new SsmEvidence(), new CodePipelineEvidence("orders-stg", "Deploy", 1000)], stg.Evidence);
        Assert.Equal(RequireMode.Any, stg.Require);

        var prd = policy.Environments[2];
        Assert.Equal(new AwsAccess("eu-west-1", "orders-prd", null), prd.Aws);
        Assert.Equal([new SsmEvidence()], prd.Evidence);
        Assert.Same(stg, policy.PreviousOf(prd));
        Assert.Null(policy.PreviousOf(dev));
    }

    [Fact]
    public void Design_example_bypass_pattern_accepts_a_ticket_and_rejects_prose()
    {
        var policy = LoadValid(DesignExample);

        Assert.True(policy.Bypass.Accepts("INC-12: db failover, hotfix approved"));
        Assert.False(policy.Bypass.Accepts("urgent fix please"));
        Assert.Equal(RegexOptions.CultureInvariant, policy.Bypass.Justification.Options);
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.Bypass.Justification.MatchTimeout);
    }

    [Fact]
    public void Minimal_policy_gets_every_default()
    {
        var policy = LoadValid(Minimal, defaultName: "orders");

        Assert.Equal("orders", policy.Name);
        Assert.Equal(["main"], policy.Branches);
        Assert.Equal(RollbackMode.PreviouslyGreen, policy.Rollback);
        Assert.Equal(BypassPolicy.DefaultPattern, policy.Bypass.Justification.ToString());
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.Bypass.Justification.MatchTimeout);
        Assert.Equal(OnErrorMode.Block, policy.OnError);
        Assert.Equal(PromotionPolicy.DefaultTimeout, policy.Timeout);
        Assert.All(policy.Environments, e =>
        {
            Assert.Equal([new GitEvidence()], e.Evidence);
            Assert.Equal(RequireMode.Any, e.Require);
            Assert.Null(e.Aws);
        });
    }

    [Theory]
    [InlineData("orders", "orders")]
    [InlineData("my repo (copy)", "my-repo--copy-")]
    [InlineData(".hidden", "hidden")]
    [InlineData("café", "caf-")]
    public void Default_name_is_the_folder_name_made_valid(string folder, string expected)
    {
        Assert.Equal(expected, LoadValid(Minimal, folder).Name);
    }

    [Fact]
    public void Default_name_that_cannot_be_made_valid_asks_for_a_name()
    {
        Assert.Equal([".promote.yml:1:1: the folder name '...' cannot name the service; set 'name:' in the policy"],
            LoadErrors(Minimal, "..."));
    }

    [Fact]
    public void Explicit_name_wins_over_an_unusable_folder_name()
    {
        Assert.Equal("svc", LoadValid("name: svc\n" + Minimal, "...").Name);
    }

    public static TheoryData<string, Action<PromotionPolicy>> ValidPolicies => new()
    {
        {
            "branches: [main, 'release/*', refs/tags/v*]",
            p => Assert.Equal(["main", "release/*", "refs/tags/v*"], p.Branches)
        },
        { "rollback: never", p => Assert.Equal(RollbackMode.Never, p.Rollback) },
        { "on_error: allow", p => Assert.Equal(OnErrorMode.Allow, p.OnError) },
        { "timeout: 500ms", p => Assert.Equal(TimeSpan.FromMilliseconds(500), p.Timeout) },
        { "timeout: 2m", p => Assert.Equal(TimeSpan.FromMinutes(2), p.Timeout) },
        { "timeout: 1m30s", p => Assert.Equal(TimeSpan.FromSeconds(90), p.Timeout) },
        { "timeout: 30", p => Assert.Equal(TimeSpan.FromSeconds(30), p.Timeout) },
        { "timeout: 10m", p => Assert.Equal(TimeSpan.FromMinutes(10), p.Timeout) },
        { "bypass: {}", p => Assert.Equal(BypassPolicy.DefaultPattern, p.Bypass.Justification.ToString()) },
        { "bypass:\n  justification: \"^OPS-\\\\d+\"", p => Assert.Equal(@"^OPS-\d+", p.Bypass.Justification.ToString()) },
        { "name: Orders.Service_2", p => Assert.Equal("Orders.Service_2", p.Name) },
        { "\"name\": 'quoted-key'", p => Assert.Equal("quoted-key", p.Name) },
    };

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public void Valid_top_level_settings_are_read(string extra, Action<PromotionPolicy> check)
    {
        check(LoadValid(extra + "\n" + Minimal));
    }

    public static TheoryData<string, Action<EnvironmentPolicy>> ValidEnvironments => new()
    {
        { "aws: { role_arn: 'arn:aws:iam::123456789012:role/deployer' }", e =>
            Assert.Equal(new AwsAccess(null, null, "arn:aws:iam::123456789012:role/deployer"), e.Aws) },
        { "aws: { region: us-gov-west-1, role_arn: 'arn:aws-us-gov:iam::123456789012:role/path/to/r' }", e => Assert.Equal("us-gov-west-1", e.Aws!.Region) },
        { "aws: { region: ap-southeast-2 }", e => Assert.Equal(new AwsAccess("ap-southeast-2", null, null), e.Aws) },
        { "evidence: [git: ]", e => Assert.Equal([new GitEvidence()], e.Evidence) },
        { "evidence:\n      - ssm:\n      - git: {}", e => Assert.Equal<EvidenceSource>([new SsmEvidence(), new GitEvidence()], e.Evidence) },
        { "evidence: [codepipeline: {pipeline: p}]", e => Assert.Equal([new CodePipelineEvidence("p", null, 1000)], e.Evidence) },
        { "evidence: [codepipeline: {pipeline: p, max_executions: 100000}]", e => Assert.Equal([new CodePipelineEvidence("p", null, 100_000)], e.Evidence) },
        { "require: all", e => Assert.Equal(RequireMode.All, e.Require) },
        { "remotes: ['https://git.example.com/*/orders.git', 'ssh://*prd*']", e =>
            Assert.Equal(["https://git.example.com/*/orders.git", "ssh://*prd*"], e.Remotes) },
    };

    [Theory]
    [MemberData(nameof(ValidEnvironments))]
    public void Valid_environment_settings_are_read(string extra, Action<EnvironmentPolicy> check)
    {
        var yaml = $"""
            version: 1
            environments:
              - name: dev
                remotes: [dev]
              - name: prd
                {(extra.StartsWith("remotes", StringComparison.Ordinal) ? "" : "remotes: [prd]\n    ")}{extra}
            """;
        check(LoadValid(yaml).Environments[1]);
    }

    /// <summary>Invalid policies: the exact message, with the line and column of the offending node.</summary>
    public static TheoryData<string, string[]> InvalidPolicies => new()
    {
        {
            "",
            [".promote.yml:1:1: the policy is empty; it needs at least 'version: 1' and 'environments:'"]
        },
        {
            "# nothing but a comment\n",
            [".promote.yml:1:1: the policy is empty; it needs at least 'version: 1' and 'environments:'"]
        },
        {
            "- a\n- b\n",
            [".promote.yml:1:1: the policy must be a mapping of keys (version, name, environments, ...)"]
        },
        {
            "version: 2\nenviroments: []\n",
            [".promote.yml:1:10: unsupported version 2; this git-promote understands version 1"]
        },
        {
            "version: 1.0\n",
            [".promote.yml:1:10: unsupported version 1.0; this git-promote understands version 1"]
        },
        {
            "version: [1]\n",
            [".promote.yml:1:10: 'version' must be an integer; this git-promote understands version 1"]
        },
        {
            "name: x\n",
            [
                ".promote.yml:1:1: the policy is missing required key 'version'",
                ".promote.yml:1:1: the policy is missing required key 'environments'",
            ]
        },
        {
            """
            version: 1
            enviroments:
              - name: dev
            """,
            [
                ".promote.yml:1:1: the policy is missing required key 'environments'",
                ".promote.yml:2:1: unknown key 'enviroments'; did you mean 'environments'?",
            ]
        },
        {
            """
            version: 1
            colour: blue
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            """,
            [".promote.yml:2:1: unknown key 'colour'; valid keys of the policy are: version, name, branches, environments, rollback, bypass, on_error, timeout"]
        },
        {
            """
            version: 1
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            """,
            [".promote.yml:2:1: duplicate key 'version'; first at line 1"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: dev
              - name: prd
                remotes: [prd]
            """,
            [".promote.yml:4:14: 'remotes' must be a list of strings"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev, [x]]
              - name: prd
                remote: [prd]
            """,
            [
                ".promote.yml:4:20: 'remotes' must be a list of strings",
                ".promote.yml:5:5: environment 'prd' is missing required key 'remotes'",
                ".promote.yml:6:5: unknown key 'remote'; did you mean 'remotes'?",
            ]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev, origin]
              - name: stg
                remotes: [stg, origin]
            """,
            [".promote.yml:6:20: remote 'origin' is already used by environment 'dev'"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
              - name: dev
                remotes: [stg]
            """,
            [".promote.yml:5:11: duplicate environment name 'dev'; first at line 3"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
            """,
            [".promote.yml:3:3: 'environments' must list at least 2 environments (the first one has no gate); found 1"]
        },
        {
            """
            version: 1
            environments: dev
            """,
            [".promote.yml:2:15: 'environments' must be a list of environments, in promotion order"]
        },
        {
            """
            version: 1
            environments:
              - dev
              - name: prd/eu
                remotes: [prd]
            """,
            [
                ".promote.yml:3:5: environment 1 must be a mapping",
                ".promote.yml:4:11: environment name must be 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit, not 'prd/eu'",
            ]
        },
        {
            """
            version: 1
            name: orders/service
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            """,
            [".promote.yml:2:7: 'name' must be 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit (it is part of SSM parameter " +
                "names), not 'orders/service'"]
        },
        {
            """
            version: 1
            name:
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            """,
            [".promote.yml:2:6: 'name' must not be empty"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
              - name: stg
                remotes: [stg]
                aws: { region: Europe, profile: p, role_arn: 'arn:aws:iam::123:role/x' }
            """,
            [
                ".promote.yml:7:20: 'region' must be an AWS region like eu-west-1, not 'Europe'",
                ".promote.yml:7:50: 'role_arn' must be an IAM role ARN like arn:aws:iam::123456789012:role/deployer, not 'arn:aws:iam::123:role/x'",
                ".promote.yml:7:50: 'profile' and 'role_arn' are mutually exclusive: use a profile, or a role assumed from the default credentials",
            ]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
              - name: stg
                remotes: [stg]
                aws: { region: eu-wset-1 }
            """,
            [".promote.yml:7:20: 'region' eu-wset-1 is not an AWS region: did you mean eu-west-1?"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
              - name: stg
                remotes: [stg]
                aws: { regoin: eu-west-1 }
            """,
            [".promote.yml:7:12: unknown key 'regoin'; did you mean 'region'?"]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
              - name: stg
                remotes: [stg]
                evidence:
                  - sms: {}
                  - git: {}
                  - git:
                  - codepipeline: { stage: Deploy, max_executions: 0 }
                  - ssm: {}
                    git: {}
                  - git
            """,
            [
                ".promote.yml:8:9: unknown key 'sms'; did you mean 'ssm'?",
                ".promote.yml:10:9: evidence 'git' is listed twice in environment 'stg'; first at line 9",
                ".promote.yml:11:23: 'codepipeline' is missing required key 'pipeline'",
                ".promote.yml:11:56: 'max_executions' must be an integer from 1 to 100000",
                ".promote.yml:12:9: an evidence entry must be a mapping with exactly one key: git, ssm or codepipeline (e.g. '- git: {}'); found 2 keys",
                ".promote.yml:14:9: an evidence entry must be a mapping with exactly one key: git, ssm or codepipeline (e.g. '- git: {}')",
            ]
        },
        {
            """
            version: 1
            environments:
              - name: dev
                remotes: [dev]
                evidence: []
              - name: stg
                remotes: [stg]
                evidence: [git: {branch: x}]
                require: most
            """,
            [
                ".promote.yml:5:15: 'evidence' must list at least one source (git, ssm or codepipeline); leave it out for git",
                ".promote.yml:8:22: unknown key 'branch'; 'git' takes no settings",
                ".promote.yml:9:14: 'require' must be any or all, not 'most'",
            ]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            rollback: always
            on_error: ignore
            timeout: 11m
            """,
            [
                ".promote.yml:3:11: 'rollback' must be previously-green or never, not 'always'",
                ".promote.yml:4:11: 'on_error' must be block or allow, not 'ignore'",
                ".promote.yml:5:10: 'timeout' must be more than 0 and at most 10m, not '11m'",
            ]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            timeout: ten seconds
            """,
            [".promote.yml:3:10: 'timeout' must be a duration like 10s, 500ms, 2m or 1m30s, not 'ten seconds'"]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            timeout: 0
            """,
            [".promote.yml:3:10: 'timeout' must be more than 0 and at most 10m, not '0'"]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            bypass:
              justification: '^[A-Z+'
            """,
            [".promote.yml:4:18: 'justification' is not a valid regular expression: unterminated bracket at offset 6"]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            bypass:
              justification: ''
              reason: x
            """,
            [
                ".promote.yml:4:18: 'justification' must not be empty",
                ".promote.yml:5:3: unknown key 'reason'; valid keys of 'bypass' are: justification",
            ]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            branches: []
            """,
            [".promote.yml:3:11: 'branches' must list at least one branch; leave it out to guard only main"]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            branches: [main, 'feature branch', 'x..y', '']
            """,
            [
                ".promote.yml:3:18: 'feature branch' is not a branch name, glob (release/*) or full ref (refs/...)",
                ".promote.yml:3:36: 'x..y' is not a branch name, glob (release/*) or full ref (refs/...)",
                ".promote.yml:3:44: 'branches' must not contain empty entries",
            ]
        },
        {
            "version: 1\nenvironments: [a\n",
            [".promote.yml:3:1: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'."]
        },
        {
            """
            version: 1
            environments: &envs [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            again: *envs
            """,
            [".promote.yml:2:15: anchors and aliases are not supported"]
        },
        {
            """
            version: 1
            environments: [{name: a, remotes: [a]}, {name: b, remotes: [b]}]
            ---
            version: 1
            """,
            [".promote.yml:3:1: only one YAML document is allowed; remove the '---' that starts a second one"]
        },
        {
            "version: !!int 1\n",
            [".promote.yml:1:10: YAML tags ('tag:yaml.org,2002:int') are not supported"]
        },
        {
            "version: 1\nname: \"a\\u0007b\"\n",
            [
                ".promote.yml:1:1: the policy is missing required key 'environments'",
                ".promote.yml:2:7: 'name' must be 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit (it is part of SSM parameter " +
                    "names), not 'a?b'",
            ]
        },
        {
            """
            version: 1
            branches: main
            bypass: '^INC-'
            environments:
              - {}
              - name: stg
                remotes: [stg]
                aws:
                evidence: {ssm: {}}
              - name: prd
                remotes: [prd]
                evidence: [codepipeline: {pipline: orders, stage: 'Deploy now'}]
            [x]: 1
            """,
            [
                ".promote.yml:2:11: 'branches' must be a list of strings",
                ".promote.yml:3:9: 'bypass' must be a mapping",
                ".promote.yml:5:5: environment 1 is missing required key 'name'",
                ".promote.yml:5:5: environment 1 is missing required key 'remotes'",
                ".promote.yml:8:9: 'aws' must be a mapping",
                ".promote.yml:9:15: 'evidence' must be a list of sources, e.g. '- git: {}'",
                ".promote.yml:12:30: 'codepipeline' is missing required key 'pipeline'",
                ".promote.yml:12:31: unknown key 'pipline'; did you mean 'pipeline'?",
                ".promote.yml:12:55: 'stage' must be a CodePipeline stage name (at most 100 letters, digits, '.', '@', '_' or '-'), not 'Deploy now'",
                ".promote.yml:13:1: keys must be plain, non-empty strings",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void Invalid_policy_reports_every_error_at_its_line_and_column(string yaml, string[] expected)
    {
        Assert.Equal(expected, LoadErrors(yaml));
    }

    [Theory]
    [InlineData("version: '1'")]
    [InlineData("version: \"1\"")]
    public void Quoted_version_one_is_accepted(string versionLine)
    {
        Assert.Equal(1, LoadValid(Minimal.Replace("version: 1", versionLine)).Version);
    }

    [Theory]
    [InlineData("'(abc'", "'justification' is not a valid regular expression: insufficient closing parentheses at offset 4")]
    [InlineData("'abc)'", "'justification' is not a valid regular expression: insufficient opening parentheses at offset 4")]
    [InlineData("'*abc'", "'justification' is not a valid regular expression: quantifier after nothing at offset 1")]
    [InlineData("'a{2,1}'", "'justification' is not a valid regular expression: reversed quantifier range at offset 6")]
    [InlineData("'\\p{Nope}'", "'justification' is not a valid regular expression: unrecognized unicode property at offset 8")]
    public void Invalid_bypass_regex_is_reported_with_the_parser_reason(string quotedPattern, string expected)
    {
        var yaml = Minimal + "\nbypass:\n  justification: " + quotedPattern + "\n";
        Assert.Equal([$".promote.yml:8:18: {expected}"], LoadErrors(yaml));
    }

    [Fact]
    public void Control_character_in_the_text_is_refused_at_its_position()
    {
        Assert.Equal([".promote.yml:2:9: control character U+0001 is not allowed in the policy"],
            LoadErrors("version: 1\nname: ab\u0001c\n"));
    }

    [Fact]
    public void Byte_order_mark_is_ignored()
    {
        Assert.Equal("my-repo", LoadValid("\uFEFF" + Minimal).Name);
    }

    [Fact]
    public void Policy_larger_than_the_limit_is_refused_without_a_position()
    {
        var big = Minimal + "\n#" + new string('x', (int)PolicyLoader.MaxBytes);
        Assert.Equal([".promote.yml: the policy is larger than 1024 KiB"], LoadErrors(big));
    }

    [Fact]
    public void Multibyte_text_is_measured_in_bytes()
    {
        // Fewer characters than the limit, more bytes.
        var big = Minimal + "\n#" + new string('é', (int)PolicyLoader.MaxBytes / 2 + 10);
        Assert.Equal([".promote.yml: the policy is larger than 1024 KiB"], LoadErrors(big));
    }

    [Fact]
    public void More_than_twenty_environments_is_an_error()
    {
        var envs = string.Concat(Enumerable.Range(1, 21).Select(i => $"  - name: e{i}\n    remotes: [r{i}]\n"));
        Assert.Equal([".promote.yml:3:3: 'environments' may list at most 20 environments; found 21"],
            LoadErrors("version: 1\nenvironments:\n" + envs));
    }

    [Fact]
    public void Errors_name_the_file_they_came_from()
    {
        var result = PolicyLoader.Load("version: 3\n", "/srv/repo/.promote.yml", "x");
        var error = Assert.Single(result.Errors);
        Assert.Equal(new PolicyError("/srv/repo/.promote.yml", 1, 10, "unsupported version 3; this git-promote understands version 1"), error);
    }

    [Fact]
    public void Environment_names_differing_only_in_case_are_duplicates()
    {
        var yaml = Minimal.Replace("name: prd", "name: DEV");
        Assert.Equal([".promote.yml:5:11: duplicate environment name 'DEV'; first at line 3"], LoadErrors(yaml));
    }

    [Fact]
    public void Remote_listed_twice_in_one_environment_is_an_error()
    {
        Assert.Equal([".promote.yml:4:20: remote 'dev' is listed twice"], LoadErrors(Minimal.Replace("[dev]", "[dev, dev]")));
    }

    [Fact]
    public void Error_flood_is_capped_with_a_count_of_the_rest()
    {
        var keys = string.Concat(Enumerable.Range(0, 150).Select(i => $"bogus{i}: 1\n"));
        var errors = LoadErrors(Minimal + "\n" + keys);
        Assert.Equal(PolicyLoader.MaxErrors + 1, errors.Count);
        Assert.Equal(".promote.yml: 50 more errors not shown", errors[^1]);
    }
}

public sealed class AwsRegionTypoTests
{
    [Theory]
    [InlineData("eu-wset-1", "eu-west-1")]
    [InlineData("eu-west-l", "eu-west-1")]
    [InlineData("us-eats-1", "us-east-1")]
    [InlineData("eu-wesst-1", "eu-west-1")]
    public void A_region_one_slip_away_from_a_known_one_is_a_typo(string typed, string meant) =>
        Assert.Equal(meant, GitPromote.Core.Policy.AwsRegions.TypoOf(typed));

    [Theory]
    [InlineData("eu-west-1")]
    [InlineData("xx-newplace-7")]
    [InlineData("ap-southeast-6")]
    [InlineData("eu-west-4")]
    public void A_known_region_and_one_far_from_every_known_one_pass(string region) =>
        Assert.Null(GitPromote.Core.Policy.AwsRegions.TypoOf(region));
}
