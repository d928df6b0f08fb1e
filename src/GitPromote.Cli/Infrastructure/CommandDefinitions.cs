using System.Globalization;
using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.Core.PipelineGate;
using GitPromote.Core.Policy;
using GitPromote.Core.Settings;
using static GitPromote.Cli.Infrastructure.CommandArgument;
using static GitPromote.Cli.Infrastructure.CommandOption;

namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// Every option a command reads, declared once as a typed handle: its name, how it is given, and what a command reads
/// from it (<c>args.Get(Options.Commit)</c>: a string, a flag's bool, every value of a repeated one, a number). The
/// definitions below put them in their commands, some in their own words (<c>with { Description = ... }</c>); a command
/// reads only the options its definition declares (reading another throws, so none goes undocumented).
/// </summary>
public static class Options
{
    public static readonly FlagOption Verbose = Flag("--verbose", $"show the details of an internal error (as {PromoteSettings.Variables.Debug}=1)");

    public static readonly FlagOption Help = Flag("--help", "print this help and run nothing") with { ShortName = "-h" };

    public static readonly FlagOption Json = Flag("--json", "print it as JSON instead of text");

    public static readonly FlagOption Explain = Flag("--explain", "list every rule of the environment's gate, met or not, as a checklist");

    public static readonly FlagOption DryRun = Flag("--dry-run", "say what would be pushed, and the guard's verdict, and push nothing");

    public static readonly FlagOption Force = Flag("--force", "go on where the command would stop");

    private static readonly string CiVariables = string.Join(", ", PipelineInputs.CommitVariables);

    public static readonly ValueOption<string?> Commit = Value("--commit", "<sha>", "the commit the pipeline runs for",
        $"the first CI variable set of {CiVariables}; else HEAD of the clone");

    public static readonly ValueOption<string?> Policy = Value("--policy", "FILE|ssm:NAME",
        "the pinned policy: a file the pipeline owns, or an SSM parameter (ssm:/promote/<name>/policy)", PromoteSettings.Variables.Policy);

    public static readonly RepeatedOption Remote = Repeated("--remote", "<env>=<url>", "where an environment's repository is (a URL, a path, or a " +
        "remote of this clone such as origin): its records are read and written there",
        $"{PromoteSettings.Variables.RemotePrefix}<ENV>, else the clone's remote the policy names");

    public static readonly RepeatedOption Role = Repeated("--role", "<env>=<role-arn>", "the IAM role that reaches an environment's account",
        $"{PromoteSettings.Variables.AwsRolePrefix}<ENV>, else the policy's credentials");

    public static readonly ValueOption<string?> File = Value("--file", "FILE", "the reviewed policy to publish",
        $"the clone's {PromotionPolicy.FileName}, else the one in this folder");

    public static readonly ValueOption<string?> Parameter = Value("--parameter", "NAME", "the SSM parameter to write", "/promote/<name>/policy");

    public static readonly ValueOption<string?> To = Value("--to", "<rev>", "the commit to roll back to",
        "the deployment before the current one (from the deployment events; revoked ones are skipped)");

    public static readonly ValueOption<string?> Comment = Text("--comment", "<text>", "a note kept with the approval", maxLength: 1000, "none");

    public static readonly ValueOption<string> Reason = RequiredText("--reason", "<text>", "what went wrong, kept with the revocation", maxLength: 500,
        "a revocation needs a reason: --reason \"<what went wrong>\"");

    public static readonly ValueOption<int> Keep = Value("--keep", "N", "keep the records of the newest N green commits", $"{RetentionRules.DefaultKeep}",
        k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var keep) && keep <= 1_000_000 ? keep
            : throw CommandFailedException.Usage($"--keep '{Quoting.Show(k)}' is not a number of commits", "e.g. --keep 100"),
        RetentionRules.DefaultKeep);

    public static readonly ValueOption<TimeSpan> OlderThan = Value("--older-than", "D", "delete only records older than this age (30d, 12h, 90m)",
        $"{RetentionRules.DefaultOlderThan.TotalDays:0}d",
        d => TryParseAge(d, out var age) ? age
            : throw CommandFailedException.Usage($"--older-than '{Quoting.Show(d)}' is not an age", "e.g. --older-than 30d (days), or 12h, 90m, 0s"),
        RetentionRules.DefaultOlderThan);

    public static readonly FlagOption Server = Flag("--server", "check a server's bare repository and its installed hooks instead of a clone");

    public static readonly ValueOption<string?> Since = Value("--since", "<date|duration>",
        "the start of the window: a date, or a duration before now (30d, 2w)", $"{HistoryWindow.DefaultLength.TotalDays:0} days before --until");

    public static readonly ValueOption<string?> Until = Value("--until", "<date|duration>", "the end of the window: a date, or a duration before now", "now");

    public static readonly ValueOption<string?> Html = Value("--html", "FILE", "write the timeline and the figures as one HTML page to FILE",
        "none: text on the terminal");

    public static readonly FlagOption Global = Flag("--global", "wire every clone of this user (git config --global)", "scope");

    public static readonly FlagOption System = Flag("--system", "wire every clone on this machine (git config --system)", "scope");

    public static readonly FlagOption Chain = Flag("--chain", "keep the hooks found running, after the guard", "found");

    public static readonly ValueOption<string?> HooksDir = Value("--hooks-dir", "DIR",
        "a shared hooks folder to add the shims to and point core.hooksPath at", "the installation's hooks folder");

    public static readonly ValueOption<string> Env = RequiredValue("--env", "<env>", "the environment this repository is",
        "which environment is this repository?");

    /// <summary>Days (<c>30d</c>), the unit retention is thought in, or any duration the policy accepts (<c>12h</c>).</summary>
    internal static bool TryParseAge(string text, out TimeSpan age)
    {
        if (text.Length is > 1 and <= 6 && text[^1] == 'd' && text[..^1].All(char.IsAsciiDigit))
        {
            age = TimeSpan.FromDays(int.Parse(text[..^1], CultureInfo.InvariantCulture));
            return true;
        }
        return DurationParser.TryParse(text, out age);
    }
}

/// <summary>
/// Every command's definition, in the order <c>git promote --help</c> and the README list them. The commands parse their
/// arguments by these, and their usage lines, <c>--help</c> and the README's command list are written from them.
/// </summary>
public static class CommandDefinitions
{
    private static readonly CommandArgument Env = Required("<env>", "the environment, as the policy names it", whenMissing: "which environment?");

    private static CommandArgument Rev(string what) => OptionalOne("<rev>", $"the commit {what} (a sha, branch or tag)", "HEAD");

    private static FlagOption Json(string what) => Options.Json with { Description = $"print {what} as JSON instead of text" };

    private static readonly CommandOption[] PipelineOptions = [Options.Commit, Options.Policy, Options.Remote, Options.Role];

    public static readonly CommandDefinition HookPrePush = new("hook pre-push",
        "the client guard (the installed shim calls it; ref updates on stdin, as githooks(5))")
    {
        Arguments = [Required("<remote>", "the remote's name, as git passes it"), Required("<url>", "the remote's URL, as git passes it")],
        WrongCount = "pre-push needs the remote name and URL git passes to the hook",
    };

    public static readonly CommandDefinition HookPreReceive = new("hook pre-receive", "the server guard (hooks/pre-receive calls it; ref updates on stdin)")
    {
        WrongCount = "pre-receive takes no arguments",
    };

    public static readonly CommandDefinition HookReferenceTransaction = new("hook reference-transaction",
        "records a bypass allowed by pre-receive exactly when git updates the ref (hooks/reference-transaction calls it)")
    {
        Arguments = [Required("prepared|committed|aborted", "the state of the ref update, as git passes it")],
        WrongCount = "reference-transaction takes the state git passes",
    };

    public static readonly CommandDefinition Hook = new("hook", "run as a git hook (the installed shims call this)")
    {
        Forms = [HookPrePush, HookPreReceive, HookReferenceTransaction],
        WhichForm = "which hook? expected: pre-push, pre-receive or reference-transaction",
        UnknownForm = hook => $"unknown hook '{hook}'",
    };

    public static readonly CommandDefinition Check = new("check", "may this commit go to that environment? exit 0 yes, 1 no")
    {
        Arguments = [Env, Rev("to check")],
        Options = [Options.Explain, Json("the verdict")],
        Examples = ["git promote check stg", "git promote check prd v1.4.2 --explain"],
    };

    public static readonly CommandDefinition Gate = new("gate",
        "in a pipeline, before deploying: was this commit admitted to the environment? exit 0 yes, 1 no")
    {
        Arguments = [Env],
        Options = [.. PipelineOptions, Json("the verdict")],
        Examples = ["git promote gate stg --policy ssm:/promote/orders-service/policy"],
    };

    public static readonly CommandDefinition PolicyPublish = new("policy publish", "pin the reviewed policy in SSM, where pipeline gates read it")
    {
        Arguments = [Required("<env>", "the environment whose account holds the parameter", whenMissing: "which environment's account?")],
        Options = [Options.File, Options.Parameter],
    };

    public static readonly CommandDefinition Policy = new("policy", "policy publish <env>: pin the reviewed policy in SSM, where pipeline gates read it")
    {
        Forms = [PolicyPublish],
        WhichForm = "policy what?",
        UnknownForm = command => $"unknown policy command '{Quoting.Show(command)}'",
        Examples = ["git promote policy publish stg", "git promote policy publish prd --file release/.promote.yml"],
    };

    public static readonly CommandDefinition Record = new("record", "mark a commit the environment deployed green there (its pipeline's last step)")
    {
        Arguments = [Env, OptionalOne("<rev>", "the commit to mark green (needs a clone)", "--commit, else a CI variable, else HEAD")],
        Options =
        [
            Options.Force with
            {
                Description = "record a commit the environment was not seen deploying (the record says so), or a revoked one, lifting its " +
                    "revocation (kept for the audit)",
            },
            .. PipelineOptions.Select(o => o == Options.Policy
                ? o with { Default = $"{PromoteSettings.Variables.Policy}, else the clone's {PromotionPolicy.FileName}" }
                : o),
        ],
        Examples =
        [
            "git promote record dev \"$CODEBUILD_RESOLVED_SOURCE_VERSION\" --remote dev=origin   (in the pipeline's clone of dev's repository)",
            "git promote record stg --policy ssm:/promote/orders-service/policy   (in a pipeline without a clone)",
            "git promote record dev main   (by hand: main is on dev's deploy branch)",
        ],
    };

    public static readonly CommandDefinition Push = new("push", "push the newest commit that may go to an environment (or the one named), as git accepts it")
    {
        Arguments = [Env, OptionalOne("<rev>", "the commit to push (a sha, branch or tag)",
            "the newest commit green in the previous environment that may go (status's next); HEAD for the first environment")],
        Options = [Options.DryRun],
        Examples = ["git promote push stg", "git promote push prd --dry-run", "git promote push prd v1.4.2"],
    };

    public static readonly CommandDefinition Rollback = new("rollback", "push an environment back to the deployment before the current one")
    {
        Arguments = [Env],
        Options = [Options.To, Options.DryRun],
        Examples = ["git promote rollback prd", "git promote rollback prd --dry-run", "git promote rollback prd --to v1.4.1"],
    };

    public static readonly CommandDefinition Status = new("status", "per environment: deployed and green commits, what can go next")
    {
        Options = [Json("the status")],
        Examples = ["git promote status", "git promote status --json"],
    };

    public static readonly CommandDefinition Approve = new("approve", "approve a commit for an environment that requires approvals")
    {
        Arguments = [Env, Rev("to approve")],
        Options = [Options.Comment],
        Examples = ["git promote approve prd a1b2c3d --comment \"checked the migration\""],
    };

    public static readonly CommandDefinition Revoke = new("revoke", "mark a commit bad in an environment: not green, not promoted, not rolled back to")
    {
        Arguments = [Env, Rev("to revoke")],
        Options = [Options.Reason],
        Examples = ["git promote revoke stg a1b2c3d --reason \"error rate alarm after deploy\""],
    };

    public static readonly CommandDefinition Prune = new("prune",
        "delete old green records, approvals and deployment events, keeping what rollbacks and audits need")
    {
        Arguments = [Env],
        Options =
        [
            Options.Keep,
            Options.OlderThan,
            Options.DryRun with { Description = "print what would be deleted, and delete nothing" },
            Json("what would be deleted (with --dry-run only)"),
        ],
        Examples = ["git promote prune prd --dry-run", "git promote prune prd --dry-run --json", "git promote prune dev --keep 20 --older-than 7d"],
    };

    public static readonly CommandDefinition Doctor = new("doctor", "check the policy, hooks, remotes and AWS access; says what to fix")
    {
        Options = [Options.Server, Json("the checks")],
        Examples = ["git promote doctor", "git promote doctor --server   (in /srv/git/orders-prd.git)"],
    };

    public static readonly CommandDefinition Audit = new("audit", "list recorded bypasses and revocations")
    {
        Arguments = [OptionalOne("<env>", "the environment whose store is read", "every environment")],
        Options = [Json("the entries")],
        Examples = ["git promote audit", "git promote audit prd --json"],
    };

    public static readonly CommandDefinition History = new("history",
        "every deployment per environment on one timeline, and the four DORA figures (--json, --html FILE)")
    {
        Arguments = [Any("<env>", "an environment to show", "every environment")],
        Options =
        [
            Options.Since,
            Options.Until,
            Json("the timeline and the figures"),
            Options.Html,
        ],
        Examples = ["git promote history", "git promote history prd --since 30d --html history.html"],
    };

    public static readonly CommandDefinition InstallOnClient = new("install", "wire this clone (or --global/--system) to the guard")
    {
        Options =
        [
            Options.Global,
            Options.System,
            Options.Force with { Description = "replace a core.hooksPath someone else set (uninstall puts it back)", Group = "found" },
            Options.Chain,
            Options.HooksDir,
        ],
    };

    public static readonly CommandDefinition InstallOnServer = new("install", "in a bare repository on a server: the pre-receive guard for one environment")
    {
        Options =
        [
            Options.Server with { Description = "install the server guard in this bare repository", Required = true },
            Options.Env,
            Options.Policy with
            {
                ValueName = "FILE", Description = "pin a policy file instead of the policy branch", Default = "the .promote.yml of the branch HEAD names",
            },
            Options.Force with { Description = "keep a pre-receive hook that is not git-promote's as pre-receive.local, run before the guard" },
            Options.HooksDir with { Description = "the folder with the installed shims to copy" },
        ],
    };

    public static readonly CommandDefinition Install = new("install", "wire this clone (or --global/--system) to the guard")
    {
        Forms = [InstallOnClient, InstallOnServer],
        Examples = ["git promote install", "git promote install --global --chain", "git promote install --server --env prd   (in /srv/git/orders-prd.git)"],
    };

    public static readonly CommandDefinition UninstallOnClient = new("uninstall", "unwire this clone (or --global/--system), restoring what was there")
    {
        Options =
        [
            Options.Global with { Description = "unwire this user's git config" },
            Options.System with { Description = "unwire this machine's git config" },
            Options.HooksDir with { Description = "a shared hooks folder to remove the shims from", Default = "none: no folder is changed" },
        ],
    };

    public static readonly CommandDefinition UninstallOnServer = new("uninstall",
        "in a bare repository on a server: remove the guard, restoring what was there")
    {
        Options = [Options.Server with { Description = "uninstall the server guard of this bare repository", Required = true }],
    };

    public static readonly CommandDefinition Uninstall = new("uninstall", "unwire it, restoring what was there")
    {
        Forms = [UninstallOnClient, UninstallOnServer],
        Examples = ["git promote uninstall", "git promote uninstall --global"],
    };

    public static readonly CommandDefinition Init = new("init", "write a starter .promote.yml from this clone's remotes")
    {
        Options = [Options.Force with { Description = "replace an existing .promote.yml" }],
        Examples = ["git promote init"],
    };

    public static readonly CommandDefinition Demo = new("demo", "build a playground and walk the whole flow with real pushes")
    {
        Arguments = [OptionalOne("DIR", "an empty or new folder for the playground", "a new git-promote-demo-<time> folder in the temp folder")],
        Examples = ["git promote demo", "git promote demo ~/promote-playground"],
    };
}
