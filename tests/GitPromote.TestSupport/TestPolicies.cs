using System.Text.RegularExpressions;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;

namespace GitPromote.TestSupport;

/// <summary>
/// Policies built directly, as the loader would build them: the three-environment orders policy, where each test can turn
/// one knob, and a policy of any environments.
/// </summary>
public static class TestPolicies
{
    public static readonly EvidenceSource Git = new GitEvidence();
    public static readonly EvidenceSource Ssm = new SsmEvidence();
    public static readonly EvidenceSource Pipeline = new CodePipelineEvidence("orders-stg", "Deploy", 1000);

    public const string TicketPattern = "^[A-Z]+-[0-9]+: .{10,}";

    /// <summary>
    /// The standard .promote.yml as a user writes it, the text both the integration tests' sandboxes and the CLI's
    /// in-process tests start from: dev, stg, prd on git evidence, rollback to what was green, a ticket-shaped bypass.
    /// </summary>
    public const string StandardYaml = """
        version: 1
        name: orders-service
        branches: [main]
        environments:
          - name: dev
            remotes: [dev]
            evidence:
              - git: {}
          - name: stg
            remotes: [stg]
            evidence:
              - git: {}
          - name: prd
            remotes: [prd]
            evidence:
              - git: {}
        rollback: previously-green
        bypass:
          justification: '^[A-Z]+-[0-9]+: .{10,}'
        on_error: block
        timeout: 10s

        """;

    public static PromotionPolicy Orders(
        RollbackMode rollback = RollbackMode.PreviouslyGreen,
        OnErrorMode onError = OnErrorMode.Block,
        RequireMode stgRequire = RequireMode.Any,
        string bypassPattern = TicketPattern,
        IReadOnlyList<string>? branches = null)
    {
        var dev = new EnvironmentPolicy("dev", 0, ["dev", "origin"], null, [Git], RequireMode.Any);
        var stg = new EnvironmentPolicy("stg", 1, ["stg", "https://git.example.com/stg/*"], new AwsAccess("eu-west-1", "orders-stg", null),
            [Ssm, Pipeline], stgRequire);
        var prd = new EnvironmentPolicy("prd", 2, ["prd", "ssh://*prd*"], new AwsAccess("eu-west-1", "orders-prd", null), [Ssm], RequireMode.Any);
        return new PromotionPolicy(1, "orders", branches ?? ["main"], [dev, stg, prd], rollback,
            new BypassPolicy(new Regex(bypassPattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))),
            onError, TimeSpan.FromSeconds(10));
    }

    /// <summary>An environment deployed by the remote of its own name.</summary>
    public static EnvironmentPolicy Environment(string name, AwsAccess? aws, params EvidenceSource[] evidence) =>
        new(name, 1, [name], aws, evidence, RequireMode.Any);

    /// <summary>A policy of <paramref name="environments"/> with the loader's defaults (the default bypass pattern, block on error).</summary>
    public static PromotionPolicy Policy(string service, TimeSpan? timeout, params EnvironmentPolicy[] environments) =>
        new(1, service, ["main"], environments, RollbackMode.PreviouslyGreen, new BypassPolicy(new Regex(BypassPolicy.DefaultPattern)),
            OnErrorMode.Block, timeout ?? TimeSpan.FromSeconds(10));

    public static GreenFact Fact(string commit, string source = "ssm") =>
        new(commit, source, new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero), "pipeline");

    public static SourceAnswer Green(EvidenceSource source, params string[] commits) =>
        SourceAnswer.Found(source, source.Kind, commits.Select(c => Fact(c, source.Kind)));

    public static SourceAnswer Failed(EvidenceSource source, string why = "throttled") =>
        SourceAnswer.Failed(source, source.Kind, new EvidenceFailure($"read {source.Kind}", why, "retry later"));

    public static EnvironmentAnswer Answer(EnvironmentPolicy env, params SourceAnswer[] sources) => new(env, sources);
}
