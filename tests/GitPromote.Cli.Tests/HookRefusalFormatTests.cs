using GitPromote.Cli.Hooks;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Tests.Support;

namespace GitPromote.Cli.Tests;

/// <summary>Both hooks run one pipeline: input they cannot take is refused in the same words, before any repository is looked for.</summary>
public sealed class HookRefusalFormatTests
{
    public static TheoryData<string[]> BothHooks => new()
    {
        new[] { "hook", "pre-push", "stg", "/srv/git/orders-stg.git" },
        new[] { "hook", "pre-receive" },
    };

    [Theory]
    [MemberData(nameof(BothHooks))]
    public async Task Input_larger_than_the_bound_is_refused_in_the_one_hook_format(string[] args)
    {
        var run = new HookRun();

        var (exit, _, error) = await run.RunAsync(new byte[HookPipeline.MaxInputBytes + 1], args);

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.Equal("git-promote: push refused: the hook input is larger than 16 MiB\n", error);
    }

    [Theory]
    [MemberData(nameof(BothHooks))]
    public async Task Input_git_would_never_send_is_refused_in_the_one_hook_format(string[] args)
    {
        var run = new HookRun();

        var (exit, _, error) = await run.RunAsync("not a ref update\n", args);

        Assert.Equal(ExitCodes.UsageOrPolicy, exit);
        Assert.StartsWith("git-promote: push refused: cannot read the push from git (hook input line 1", error);
    }
}
