using System.Text.RegularExpressions;
using GitPromote.Core.Policy;

namespace GitPromote.Cdk;

/// <summary>
/// The checked input of one <see cref="PromotedEnvironment"/>: the policy parsed by git-promote's own loader, this
/// environment's place in it, and the accounts before and after it. Every wrong input is refused here, with what to
/// fix, before a single resource is created: a broken template could open the path to production or close it.
/// </summary>
public sealed partial record PromotionPlan(
    string Service,
    PromotionStep This,
    PromotionStep? Previous,
    PromotionStep? Next,
    string PipelineName,
    string Branch,
    string PolicyText)
{
    /// <summary>What will not stop synthesis but will likely stop the pipeline; shown as CDK warnings.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>This environment's <c>health.alarms</c> (names, or prefixes ending in *), after <see cref="PromotedEnvironmentProps.HealthAlarms"/>; empty:
    /// none.</summary>
    public IReadOnlyList<string> HealthAlarms { get; init; } = [];

    /// <summary>The policy's <c>insufficient_data</c> of this environment's health: block (default) refuses an alarm without data.</summary>
    public bool InsufficientDataBlocks { get; init; } = true;

    /// <summary>Advanced-tier SSM parameters hold at most 8 KB.</summary>
    public const int MaxPolicyBytes = 8192;

    public PromotionNames Names => new(Service, This.Name);
    public PromotionNames? PreviousNames => Previous is null ? null : new(Service, Previous.Name);
    public PromotionNames? NextNames => Next is null ? null : new(Service, Next.Name);
    public string PolicyParameter => PromotionNames.PolicyParameter(Service);

    /// <summary>
    /// The profile developers reach this environment's account with: the policy's <c>aws.profile</c>, else
    /// <see cref="PromotionNames.Profile"/>.
    /// </summary>
    public string CloneProfile { get; init; } = "";

    /// <param name="stackAccount">The stack's account when it is known at synthesis, else null (an environment-agnostic stack).</param>
    public static PromotionPlan From(PromotedEnvironmentProps props, string? stackAccount)
    {
        ArgumentNullException.ThrowIfNull(props);
        var policyText = PolicyHealth.Merge(LoadPolicy(props.Policy), props.Policy!, props.HealthAlarms, LoadPolicy);
        var policy = LoadPolicy(policyText);
        var names = policy.Environments.Select(e => e.Name).ToList();
        var known = string.Join(", ", names);

        if (policy.FindEnvironment(props.Environment ?? "") is not { } env)
            throw new ArgumentException(
                $"unknown environment '{props.Environment}': .promote.yml of {policy.Name} has {known}. Use one of those names.");
        if (!env.StoresInSsm)
            throw new ArgumentException(
                $"environment '{env.Name}' of .promote.yml has no '- ssm: {{}}' evidence, but its pipeline records green in SSM " +
                $"(/promote/{policy.Name}/{env.Name}/green/<sha>). Add '- ssm: {{}}' to its evidence.");

        var accounts = props.Accounts ?? new Dictionary<string, string>();
        if (accounts.Keys.FirstOrDefault(k => !names.Contains(k, StringComparer.Ordinal)) is { } stray)
            throw new ArgumentException($"unknown environment '{stray}' in Accounts: .promote.yml of {policy.Name} has {known}.");
        var missing = names.Where(n => !accounts.TryGetValue(n, out var id) || string.IsNullOrWhiteSpace(id)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException(
                $"missing account id{(missing.Count > 1 ? "s" : "")} for {string.Join(", ", missing)}: Accounts must give every environment of .promote.yml " +
                    $"({known}) its 12-digit account id.");
        if (accounts.FirstOrDefault(a => !AccountId().IsMatch(a.Value)) is { Key: not null } bad)
            throw new ArgumentException($"the account id of {bad.Key}, '{bad.Value}', is not 12 digits.");
        // Names fixed per service (the pinned policy parameter) must not meet in one account, or the second
        // stack fails to deploy or takes the first one's resources over.
        var sharing = names.Where(n => n != env.Name && accounts[n] == accounts[env.Name]).ToList();
        if (sharing.Count > 0)
            throw new ArgumentException(
                $"{env.Name} and {string.Join(", ", sharing)} are in the same account {accounts[env.Name]}: their stacks would both create " +
                $"/promote/{policy.Name}/policy, so the second would fail to deploy or overwrite the first. " +
                "Give each environment its own account in Accounts (git-promote's path is one account per environment).");
        if (stackAccount is not null && stackAccount != accounts[env.Name])
            throw new ArgumentException(
                $"this stack deploys to account {stackAccount}, but Accounts puts {env.Name} in {accounts[env.Name]}. Give the stack env.Account of " +
                    $"{env.Name}.");

        PromotionStep Step(int index) => new(names[index], accounts[names[index]]);
        var plan = new PromotionPlan(
            policy.Name,
            Step(env.Index),
            env.Index > 0 ? Step(env.Index - 1) : null,
            env.Index + 1 < names.Count ? Step(env.Index + 1) : null,
            env.Evidence.OfType<CodePipelineEvidence>().FirstOrDefault()?.Pipeline ?? $"{policy.Name}-{env.Name}",
            DeployBranch(props.Branch, policy),
            policyText)
        {
            Warnings = [],
            CloneProfile = env.Aws?.Profile ?? new PromotionNames(policy.Name, env.Name).Profile,
            HealthAlarms = env.Health?.Alarms.Select(a => a.Text).ToList() ?? [],
            InsufficientDataBlocks = env.Health?.InsufficientData != InsufficientDataMode.Ignore,
        };
        plan.CheckLimits();
        return plan;
    }

    internal static PromotionPolicy LoadPolicy(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException("Policy is empty: give the text of the team's .promote.yml (File.ReadAllText(\".promote.yml\")).");
        // No default name: the service name is part of every SSM path and role name, so the policy must say it.
        var loaded = PolicyLoader.Load(text, PromotionPolicy.FileName, defaultName: "");
        if (loaded.Policy is not { } policy)
            throw new ArgumentException("the policy is not valid:\n  " + string.Join("\n  ", loaded.Errors.Select(e => e.ToString())));
        return policy;
    }

    private static string DeployBranch(string? given, PromotionPolicy policy)
    {
        if (given is not null)
        {
            if (given.Length == 0 || given.Contains('*') || given.Contains('?') || given.StartsWith("refs/", StringComparison.Ordinal))
                throw new ArgumentException($"Branch '{given}' must be one branch name such as main (no glob, no refs/ prefix).");
            return given;
        }
        var first = policy.Branches[0];
        if (first.Contains('*') || first.Contains('?') || first.StartsWith("refs/", StringComparison.Ordinal))
            throw new ArgumentException($"the policy's first branch '{first}' is a pattern; set Branch to the one branch that starts this pipeline.");
        return first;
    }

    private void CheckLimits()
    {
        foreach (var role in Names.PathRoles.Append(Names.EvidenceReaderRole).Append(PreviousNames?.EvidenceReaderRole).Append(NextNames?.GateRole))
        {
            if (role is not null && role.Length > PromotionNames.MaxRoleName)
                throw new ArgumentException(
                    $"the role name '{role}' is longer than IAM's {PromotionNames.MaxRoleName} characters; use a shorter 'name:' or shorter environment " +
                        "names in .promote.yml.");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(PolicyText) > MaxPolicyBytes)
            throw new ArgumentException($"the policy is larger than {MaxPolicyBytes} bytes, the most an SSM parameter holds; shorten .promote.yml.");
    }

    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AccountId();
}
