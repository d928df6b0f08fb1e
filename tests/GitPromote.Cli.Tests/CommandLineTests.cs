using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Tests.Support;
using GitPromote.Core.Evidence;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The parser holds a command line to its command's definition before the command runs: the form given, how many
/// arguments, the required options, the limits of text a record keeps. A command gets the result, typed.
/// </summary>
public sealed class CommandLineTests
{
    private const int UsageOrPolicy = 2;

    /// <summary>Runs a command line through App with git that must not be reached: a refusal here is the parser's, before any repository.</summary>
    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var cli = new FakeCommandLine();
        cli.Git.Failure = new InvalidOperationException("must not be reached: the parser refuses this command line");
        var (exit, @out, error) = await cli.RunAsync(args);
        return (exit, @out, error.ReplaceLineEndings("\n"));
    }

    private static CommandLine Parse(CommandDefinition definition, params string[] args) => ArgumentReader.Parse(args, definition).Validate();

    private static CommandFailedException Refused(CommandDefinition definition, params string[] args) =>
        Assert.Throws<CommandFailedException>(() => Parse(definition, args));

    /// <summary>Every usage of every command, with what selects it on a command line (the word after the command, the flag).</summary>
    public static TheoryData<string, string> Usages()
    {
        var data = new TheoryData<string, string>();
        foreach (var definition in App.Definitions)
            foreach (var usage in definition.Usages)
                data.Add(definition.Name, usage.Name + string.Concat(usage.SelectingFlags.Select(f => " " + f.Name)));
        return data;
    }

    private static (CommandDefinition Command, CommandDefinition Form, string[] Selecting) Find(string command, string heading)
    {
        var definition = App.Definitions.Single(d => d.Name == command);
        var form = definition.Usages.Single(u => u.Name + string.Concat(u.SelectingFlags.Select(f => " " + f.Name)) == heading);
        return (definition, form, [.. form.WordAfter(definition) is { } word ? [word] : Array.Empty<string>(), .. form.SelectingFlags.Select(f => f.Name)]);
    }

    [Theory]
    [MemberData(nameof(Usages))]
    public async Task More_arguments_than_a_usage_takes_are_refused_before_the_command_runs(string command, string heading)
    {
        var (definition, form, selecting) = Find(command, heading);
        if (form.Arguments.Any(a => a.Repeated)) return; // history takes any number of environments
        var extra = Enumerable.Range(1, form.Arguments.Count + 1).Select(i => $"a{i}").ToArray();

        var (exit, @out, error) = await RunAsync([command, .. selecting, .. extra]);

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Empty(@out);
        var said = form.WrongCount ?? $"too many arguments: {extra[^1]}";
        Assert.Equal($"git-promote: {said}\n  usage: {definition.UsageOf(form)}\n", error);
    }

    [Fact]
    public void A_missing_argument_is_asked_for_by_the_words_its_definition_gives()
    {
        foreach (var definition in new[] { CommandDefinitions.Check, CommandDefinitions.Gate, CommandDefinitions.Record, CommandDefinitions.Push,
                     CommandDefinitions.Rollback, CommandDefinitions.Approve, CommandDefinitions.Prune })
        {
            var e = Refused(definition);
            Assert.Equal("which environment?", e.Message);
            Assert.Equal($"usage: {definition.Usage}", e.Todo);
        }
        Assert.Equal("which environment's account?", Refused(CommandDefinitions.Policy, "publish").Message);
        Assert.Equal("which environment?", Refused(CommandDefinitions.Revoke, "--reason", "alarm").Message);
    }

    [Fact]
    public async Task A_missing_argument_is_refused_before_looking_for_a_repository()
    {
        var (exit, _, error) = await RunAsync("rollback", "--dry-run");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Equal($"git-promote: which environment?\n  usage: {CommandDefinitions.Rollback.Usage}\n", error);
    }

    [Fact]
    public async Task A_missing_required_option_is_refused_with_what_it_needs_and_the_usage()
    {
        var (exit, _, error) = await RunAsync("revoke", "stg");

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Equal($"git-promote: a revocation needs a reason: --reason \"<what went wrong>\"\n  usage: {CommandDefinitions.Revoke.Usage}\n", error);
    }

    [Theory]
    [InlineData]
    [InlineData("--env", "")]
    [InlineData("--env=")]
    public void A_required_value_given_empty_is_missing(params string[] env)
    {
        var e = Refused(CommandDefinitions.Install, ["--server", .. env]);

        Assert.Equal("which environment is this repository?", e.Message);
        // The server form's own usage: --server said which form was meant.
        Assert.Equal($"usage: {CommandDefinitions.InstallOnServer.Usage}", e.Todo);
    }

    [Fact]
    public void A_required_option_is_checked_before_a_missing_argument()
    {
        Assert.Equal("a revocation needs a reason: --reason \"<what went wrong>\"", Refused(CommandDefinitions.Revoke).Message);
    }

    [Fact]
    public async Task Help_is_printed_whatever_else_the_command_line_lacks()
    {
        string[][] lacking =
            [["revoke", "--help"], ["install", "--server", "--help"], ["hook", "-h"], ["policy", "--help"], ["check", "a", "b", "c", "--help"]];
        foreach (var args in lacking)
        {
            var (exit, @out, error) = await RunAsync(args);

            Assert.Equal(0, exit);
            Assert.StartsWith($"usage: git promote {args[0]}", @out);
            Assert.Empty(error);
        }
    }

    [Theory]
    [InlineData("hook", "foo", "unknown hook 'foo'")]
    [InlineData("policy", "foo", "unknown policy command 'foo'")]
    [InlineData("policy", null, "policy what?")]
    [InlineData("hook", null, "which hook? expected: pre-push, pre-receive or reference-transaction")]
    public async Task A_word_that_names_no_form_is_refused_with_every_usage(string command, string? word, string said)
    {
        var (exit, _, error) = await RunAsync(word is null ? [command] : [command, word]);

        Assert.Equal(UsageOrPolicy, exit);
        Assert.Equal($"git-promote: {said}\n  usage: {App.Definitions.Single(d => d.Name == command).Usage}\n", error);
    }

    [Fact]
    public void A_hook_given_other_arguments_than_git_passes_is_refused_by_its_definition()
    {
        var receive = Refused(CommandDefinitions.Hook, "pre-receive", "extra");
        var transaction = Refused(CommandDefinitions.Hook, "reference-transaction");
        var push = Refused(CommandDefinitions.Hook, "pre-push", "origin");

        Assert.Equal("pre-receive takes no arguments", receive.Message);
        Assert.Equal($"usage: {CommandDefinitions.HookPreReceive.Usage}", receive.Todo);
        Assert.Equal("reference-transaction takes the state git passes", transaction.Message);
        Assert.Equal($"usage: {CommandDefinitions.HookReferenceTransaction.Usage}", transaction.Todo);
        // pre-push is the first form: its refusal shows every hook, as the hook's own usage does.
        Assert.Equal("pre-push needs the remote name and URL git passes to the hook", push.Message);
        Assert.Equal($"usage: {CommandDefinitions.Hook.Usage}", push.Todo);
    }

    [Theory]
    [InlineData("install", "--env", "--env", "prd")]
    [InlineData("install", "--chain", "--server", "--env", "prd", "--chain")]
    [InlineData("uninstall", "--hooks-dir=d", "--server", "--hooks-dir=d")]
    public void An_option_of_another_form_is_unknown_in_the_form_given(string command, string unknown, params string[] args)
    {
        var e = Refused(App.Definitions.Single(d => d.Name == command), args);

        Assert.StartsWith($"unknown option '{unknown}'", e.Message);
    }

    [Fact]
    public void The_parser_chooses_the_form_and_the_command_reads_its_own_arguments()
    {
        var push = Parse(CommandDefinitions.Hook, "pre-push", "origin", "/srv/git/stg.git");
        var transaction = Parse(CommandDefinitions.Hook, "reference-transaction", "committed");
        var server = Parse(CommandDefinitions.Install, "--env", "prd", "--server");
        var client = Parse(CommandDefinitions.Install, "--global");

        Assert.Equal(CommandDefinitions.HookPrePush, push.Form);
        Assert.Equal(["origin", "/srv/git/stg.git"], push.Positionals);
        Assert.Equal(CommandDefinitions.HookReferenceTransaction, transaction.Form);
        Assert.Equal(["committed"], transaction.Positionals);
        Assert.Equal(CommandDefinitions.InstallOnServer, server.Form);
        Assert.Equal("prd", server.Get(Options.Env));
        Assert.Equal(CommandDefinitions.InstallOnClient, client.Form);
        Assert.True(client.Get(Options.Global));
        Assert.Throws<InvalidOperationException>(() => client.Get(Options.Env));
    }

    [Fact]
    public void Text_a_record_keeps_is_bounded_by_the_limit_its_definition_declares_and_help_says()
    {
        var limit = Options.Comment.MaxLength!.Value;

        var longest = Parse(CommandDefinitions.Approve, "stg", "--comment", $"  {new string('x', limit)}  ").Get(Options.Comment);
        var tooLong = Refused(CommandDefinitions.Approve, "stg", "--comment", new string('x', limit + 1));
        var blank = Refused(CommandDefinitions.Revoke, "stg", "--reason", "   ");
        var twoLines = Refused(CommandDefinitions.Revoke, "stg", "--reason", "one\ntwo");

        Assert.Equal(new string('x', limit), longest);
        Assert.Equal($"--comment must be at most {limit} characters", tooLong.Message);
        Assert.Equal("--reason must not be empty", blank.Message);
        Assert.Equal("--reason must be one line of text, without control characters", twoLines.Message);
        Assert.Contains($"(at most {limit} characters)", CommandDefinitions.Approve.Help());
        Assert.Contains($"(at most {Options.Reason.MaxLength} characters)", CommandDefinitions.Revoke.Help());
    }

    [Fact]
    public void A_typed_value_is_read_as_its_type_or_is_its_default()
    {
        var given = Parse(CommandDefinitions.Prune, "stg", "--keep", "20", "--older-than", "7d");
        var none = Parse(CommandDefinitions.Prune, "stg");
        var notANumber = Parse(CommandDefinitions.Prune, "stg", "--keep", "x");

        Assert.Equal(20, given.Get(Options.Keep));
        Assert.Equal(TimeSpan.FromDays(7), given.Get(Options.OlderThan));
        Assert.Equal(RetentionRules.DefaultKeep, none.Get(Options.Keep));
        Assert.Equal(RetentionRules.DefaultOlderThan, none.Get(Options.OlderThan));
        Assert.Equal("--keep 'x' is not a number of commits", Assert.Throws<CommandFailedException>(() => notANumber.Get(Options.Keep)).Message);
    }

    [Fact]
    public void Only_the_entry_point_parses_a_command_line()
    {
        var source = Path.Combine(TestSupport.RepositoryRoot.Path, "src", "GitPromote.Cli");
        var parsing = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("ArgumentReader.Parse(", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(source, f))
            .ToList();

        Assert.Equal(["App.cs"], parsing);
    }
}
