namespace GitPromote.Core.Settings;

/// <summary>Where a setting is given: the process environment, git config, or (one) a push option.</summary>
public enum SettingSource
{
    EnvironmentVariable,
    GitConfig,
    PushOption,
}

/// <summary>
/// One setting as docs/settings.md shows it. <paramref name="Name"/> is the exact name, or a prefix the code completes
/// when <paramref name="Placeholder"/> is set (<c>PROMOTE_AWS_ROLE_</c> + <c>&lt;ENV&gt;</c>).
/// </summary>
public sealed record Setting(string Name, SettingSource Source, string Where, string Default, string Meaning, string? Placeholder = null)
{
    /// <summary>The name as an operator reads it: <c>PROMOTE_AWS_ROLE_&lt;ENV&gt;</c>.</summary>
    public string Shown => Name + Placeholder;
}

/// <summary>
/// Every environment variable and git config key git-promote reads, defined once: the names the code uses (the
/// constants) and what docs/settings.md says of each (<see cref="All"/>; SettingsReferenceTests keeps the page equal
/// to it). A yes/no setting is read by one rule, git's (<see cref="IsTrue"/>).
/// </summary>
public static class PromoteSettings
{
    public static class Variables
    {
        public const string Bypass = "PROMOTE_BYPASS";
        public const string Debug = "PROMOTE_DEBUG";
        public const string Trace = "PROMOTE_TRACE";
        public const string Policy = "PROMOTE_POLICY";
        public const string AwsRolePrefix = "PROMOTE_AWS_ROLE_";
        public const string RemotePrefix = "PROMOTE_REMOTE_";
        public const string Pusher = "PROMOTE_PUSHER";
        public const string GitBackend = "PROMOTE_GIT_BACKEND";
        public const string Commit = "PROMOTE_COMMIT";
        public const string ReleaseBucket = "GIT_PROMOTE_BUCKET";
        public const string ReleaseKey = "GIT_PROMOTE_KEY";
        public const string ReleaseSha256 = "GIT_PROMOTE_SHA256";
        public const string PruneKeep = "GIT_PROMOTE_PRUNE_KEEP";
        public const string PruneOlderThan = "GIT_PROMOTE_PRUNE_OLDER_THAN";
        public const string PruneWarnAt = "GIT_PROMOTE_PRUNE_WARN_AT";
    }

    public static class GitKeys
    {
        public const string Environment = "promote.environment";
        public const string Policy = "promote.policy";
        public const string PolicyRef = "promote.policyRef";
        public const string Recorders = "promote.recorders";
        public const string RemotePrefix = "promote.remote.";
        public const string Timeout = "promote.timeout";
        public const string PreviousAdvertisePushOptions = "promote.previousAdvertisePushOptions";
        public const string ChainHooksPath = "promote.chainHooksPath";
        public const string PreviousHooksPath = "promote.previousHooksPath";
        public const string InstalledHooksPath = "promote.installedHooksPath";

        /// <summary>A push option (<c>git push -o</c>), not config; named like a key so a server admin finds it with them.</summary>
        public const string Bypass = "promote.bypass";

        /// <summary><c>promote.remote.&lt;env&gt;</c>: the URL of environment <paramref name="environment"/>'s repository.</summary>
        public static string RemoteFor(string environment) => RemotePrefix + environment;
    }

    private const SettingSource Env = SettingSource.EnvironmentVariable;
    private const SettingSource Config = SettingSource.GitConfig;
    private const string Server = "server";

    /// <summary>Every setting, in docs/settings.md's order.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        new(Variables.Bypass, Env, "the pre-push hook, `gate`", "none",
            "a written justification for an emergency push past the guard: `PROMOTE_BYPASS=\"INC-12: failover\" git push prd ...`. " +
            "It must match the policy's `bypass.justification`; the bypass is recorded where auditors look ([guardrails](guardrails.md)). " +
            "On a server it means nothing: use `git push -o promote.bypass=...`."),
        new(Variables.Debug, Env, "every command", "off", "yes/no: details of an internal error (as `--verbose`)."),
        new(Variables.Trace, Env, "every command", "off",
            "yes/no: one line on stderr per git process and per AWS call, with how long it took and how it ended (below). For a push that is slow."),
        new(Variables.Policy, Env, "`gate`, `record` in a pipeline", "none",
            "where the pinned policy is, when `--policy` is not given: a file, or `ssm:NAME` (README, \"Pipelines: the gate\")."),
        new(Variables.AwsRolePrefix, Env, "`gate`, `record`", "the policy's own credentials",
            "the role to assume for environment `<ENV>` (upper case, other characters as `_`: `stg-eu` is `PROMOTE_AWS_ROLE_STG_EU`), " +
            "as `--role <env>=<arn>`.", "<ENV>"),
        new(Variables.RemotePrefix, Env, "`gate`, `record`", "the clone's remote that the policy names, else none",
            "where environment `<ENV>`'s repository is (a URL, a path, or the name of a remote of the clone, e.g. `origin` in a pipeline's " +
            "clone), as `--remote <env>=<url>`: every record of that environment (green, revocations, deployment events) is read and written " +
            "there, and messages say it was chosen by this variable.", "<ENV>"),
        new(Variables.Pusher, Env, "the pre-receive hook", "the hosting server's name for the pusher, else the account git runs as",
            "set by the server admin per SSH key: the person behind a shared account ([server](server.md)). Never accept it from clients."),
        new(Variables.GitBackend, Env, "every command that reads the repository", "libgit2 where it can, else the git CLI",
            "`cli` or `libgit2`: force how the repository is read. For diagnosis."),
        new(Variables.Commit, Env, "the CDK construct's build commands", "set by the construct",
            "the commit the pipeline builds, set by the construct's CodeBuild projects and passed to `gate` and `record` as `--commit`."),
        new(Variables.ReleaseBucket, Env, "the CDK construct's build commands", "set by the construct",
            "the S3 bucket of the git-promote release tarball the builds install."),
        new(Variables.ReleaseKey, Env, "the CDK construct's build commands", "set by the construct", "that tarball's key in the bucket."),
        new(Variables.ReleaseSha256, Env, "the CDK construct's build commands", "set by the construct",
            "that tarball's SHA-256: the build checks it with `sha256sum -c` before it unpacks anything."),
        new(Variables.PruneKeep, Env, "the CDK construct's prune build", "100", "the newest green commits its `git promote prune` keeps (`--keep`)."),
        new(Variables.PruneOlderThan, Env, "the CDK construct's prune build", "30d", "records younger than this are kept (`--older-than`)."),
        new(Variables.PruneWarnAt, Env, "the CDK construct's prune build", "8000",
            "more records than this left after pruning fail the build (and raise its alarm): SSM's standard tier holds 10,000 per account and region."),

        new(GitKeys.Environment, Config, "the server repository's config (or `GIT_CONFIG_COUNT` in its hook's environment)", "none: pushes are refused",
            "which environment this repository is, e.g. `stg`; set by `install --server` ([server](server.md))."),
        new(GitKeys.Policy, Config, Server, "none: the policy is read from a branch",
            "the absolute path of the policy file, when the policy is not read from a branch."),
        new(GitKeys.PolicyRef, Config, Server, "HEAD's branch", "the branch the policy is read from, pinned by `install --server`."),
        new(GitKeys.Recorders, Config, "server, multi-valued", "nobody",
            "pusher identities that may write green records here: the pipeline's account."),
        new(GitKeys.RemotePrefix, Config, Server, "none", "the URL of environment `<env>`'s repository, for `git` evidence.", "<env>"),
        new(GitKeys.Timeout, Config, Server, "the policy's `timeout`, at most 5 s", "the pre-receive hook's time budget."),
        new(GitKeys.PreviousAdvertisePushOptions, Config, Server, "written by `install --server`",
            "the `receive.advertisePushOptions` it replaced, which `uninstall --server` puts back."),
        new(GitKeys.ChainHooksPath, Config, "a clone, global or system config", "written by `install --chain`",
            "the hooks folder `install --chain` found in `core.hooksPath`: its hooks run after the guard ([rollout](rollout.md))."),
        new(GitKeys.PreviousHooksPath, Config, "same level as `core.hooksPath`", "written by `install`",
            "the `core.hooksPath` it replaced, which `uninstall` puts back."),
        new(GitKeys.InstalledHooksPath, Config, "same level as `core.hooksPath`", "written by `install`",
            "the `core.hooksPath` it set, so `uninstall` undoes only its own setting."),
        new(GitKeys.Bypass, SettingSource.PushOption, "a push option, not config: `git push -o promote.bypass=\"<justification>\"`", "none",
            "the server-side bypass; needs `receive.advertisePushOptions=true` on the server."),
    ];

    /// <summary>
    /// The one yes/no rule, git's for booleans: <c>true</c>, <c>yes</c>, <c>on</c> (any case) and a non-zero number are
    /// true; anything else, or absent, is false. <c>PROMOTE_DEBUG=yes</c> means what <c>promote.x = yes</c> would.
    /// </summary>
    public static bool IsTrue(string? value)
    {
        var v = value?.Trim();
        return v is not null && (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("yes", StringComparison.OrdinalIgnoreCase)
                                 || v.Equals("on", StringComparison.OrdinalIgnoreCase) || (long.TryParse(v, out var n) && n != 0));
    }
}
