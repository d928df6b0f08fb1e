using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Tests.Support;

namespace GitPromote.Cli.Tests;

/// <summary>Each command is declared once: its --help, usage and parsing all come from its definition.</summary>
public sealed class CommandDefinitionTests
{
    public static TheoryData<string> CommandNames() => [.. App.Definitions.Select(d => d.Name)];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Every_commands_help_names_every_option_with_its_description_and_default(string name)
    {
        var definition = App.Definitions.Single(d => d.Name == name);

        var (exit, help, _) = await new FakeCommandLine().RunAsync(name, "--help");

        Assert.Equal(0, exit);
        Assert.StartsWith($"usage: git promote {name}", help);
        foreach (var option in definition.Usages.SelectMany(u => u.Options).Concat(CommandDefinition.GlobalOptions))
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{name} {option.Name} has no description");
            // A flag is off unless given; an option with a value says what holds without it, or that it must be given.
            if (option.Kind != OptionKind.Flag) Assert.NotNull(option.DefaultNote);
            var line = help.Split('\n').FirstOrDefault(l => l.Contains(option.Synopsis, StringComparison.Ordinal)
                && l.Contains(option.Description, StringComparison.Ordinal));
            Assert.True(line is not null, $"{name} --help has no line for {option.Synopsis} with its description:\n{help}");
            if (option.DefaultNote is { } note) Assert.Contains($"({note})", help);
        }
        foreach (var argument in definition.Usages.SelectMany(u => u.Arguments))
        {
            Assert.Contains(argument.Description, help);
            if (argument.Optional) Assert.Contains($"(default: {argument.Default})", help);
        }
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task Every_command_a_person_runs_shows_examples_in_its_help(string name)
    {
        var definition = App.Definitions.Single(d => d.Name == name);
        if (definition == CommandDefinitions.Hook) return; // git runs it, with the arguments the usage shows

        var (_, help, _) = await new FakeCommandLine().RunAsync(name, "--help");

        Assert.NotEmpty(definition.Examples);
        Assert.Contains("examples:\n" + string.Concat(definition.Examples.Select(e => $"  {e}\n")), help.ReplaceLineEndings("\n"));
        Assert.All(definition.Examples, e => Assert.StartsWith($"git promote {name}", e));
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Every_usage_line_names_every_argument_and_option_of_its_form(string name)
    {
        foreach (var usage in App.Definitions.Single(d => d.Name == name).Usages)
        {
            Assert.StartsWith($"git promote {usage.Name}", usage.UsageLine);
            foreach (var argument in usage.Arguments) Assert.Contains(argument.Synopsis, usage.UsageLine);
            foreach (var option in usage.Options) Assert.Contains(option.Synopsis, usage.UsageLine);
        }
    }

    [Fact]
    public void The_usage_line_writes_groups_repeats_and_required_options_as_git_does()
    {
        Assert.Equal("git promote install [--global|--system] [--force|--chain] [--hooks-dir DIR]", CommandDefinitions.InstallOnClient.UsageLine);
        Assert.Equal("git promote install --server --env <env> [--policy FILE] [--force] [--hooks-dir DIR]", CommandDefinitions.InstallOnServer.UsageLine);
        Assert.Equal("git promote revoke <env> [<rev>] --reason <text>", CommandDefinitions.Revoke.UsageLine);
        Assert.Contains("[--remote <env>=<url>]...", CommandDefinitions.Gate.UsageLine);
        Assert.StartsWith("git promote history [<env>...] ", CommandDefinitions.History.UsageLine);
    }

    [Fact]
    public void Hook_usage_names_the_three_hooks_it_runs()
    {
        var usage = CommandDefinitions.Hook.Usage;

        Assert.Contains("git promote hook pre-push <remote> <url>", usage);
        Assert.Contains("git promote hook pre-receive", usage);
        Assert.Contains("git promote hook reference-transaction prepared|committed|aborted", usage);
    }

    [Fact]
    public void A_value_that_looks_like_an_option_is_the_value()
    {
        var given = ArgumentReader.Parse(["--hooks-dir", "--server", "--force"], CommandDefinitions.Install).Validate();

        Assert.Equal(CommandDefinitions.InstallOnClient, given.Form);
        Assert.Equal("--server", given.Get(Options.HooksDir));
        Assert.True(given.Get(Options.Force));
    }

    [Fact]
    public void Verbose_is_a_global_flag_of_every_command()
    {
        var given = ArgumentReader.Parse(["stg", "--verbose", "HEAD"], CommandDefinitions.Check);

        Assert.True(given.Has(Options.Verbose));
        Assert.True(given.Validate().Get(Options.Verbose));
        Assert.Equal(["stg", "HEAD"], given.Validate().Positionals);
    }

    [Fact]
    public void Repeated_values_are_kept_in_order()
    {
        var given = ArgumentReader.Parse(["stg", "--role", "dev=arn:a", "--role=stg=arn:b"], CommandDefinitions.Gate).Validate();

        Assert.Equal(["dev=arn:a", "stg=arn:b"], given.Get(Options.Role));
        Assert.Empty(given.Get(Options.Remote));
    }

    [Fact]
    public void Reading_an_option_the_definition_does_not_declare_is_a_bug_not_a_silent_no()
    {
        var given = ArgumentReader.Parse(["stg"], CommandDefinitions.Check).Validate();

        var e = Assert.Throws<InvalidOperationException>(() => given.Get(Options.Force));
        Assert.Contains("declare it", e.Message);
    }

    [Theory]
    [InlineData("--commit", "gate")]
    [InlineData("--policy", "gate")]
    [InlineData("--since", "history")]
    [InlineData("--html", "history")]
    [InlineData("--keep", "prune")]
    public void A_single_value_option_given_twice_is_a_usage_error_not_the_last_value(string option, string command)
    {
        var definition = App.Definitions.Single(d => d.Name == command);

        var spaced = Assert.Throws<CommandFailedException>(() => ArgumentReader.Parse(["prd", option, "a", option, "b"], definition));
        var joined = Assert.Throws<CommandFailedException>(() => ArgumentReader.Parse(["prd", $"{option}=a", $"{option}=a"], definition));

        Assert.Equal($"{option} given twice", spaced.Message);
        Assert.Equal(ExitCodes.UsageOrPolicy, spaced.ExitCode);
        Assert.Equal($"{option} given twice", joined.Message);
    }

    [Fact]
    public void Every_single_value_option_of_every_command_is_refused_when_given_twice()
    {
        foreach (var usage in App.Definitions.SelectMany(d => d.Usages))
            foreach (var option in usage.Options.Concat(CommandDefinition.GlobalOptions).Where(o => o.Kind == OptionKind.Value))
            {
                var e = Assert.Throws<CommandFailedException>(() => ArgumentReader.Parse([option.Name, "x", option.Name, "y"], usage));
                Assert.Equal($"{option.Name} given twice", e.Message);
            }
    }

    [Fact]
    public void An_option_without_its_value_is_a_usage_error()
    {
        var e = Assert.Throws<CommandFailedException>(() => ArgumentReader.Parse(["prd", "--keep"], CommandDefinitions.Prune));

        Assert.Equal("option --keep needs a value", e.Message);
    }

    [Fact]
    public void Command_and_option_names_are_unique()
    {
        Assert.Equal(App.Definitions.Count, App.Definitions.Select(d => d.Name).Distinct().Count());
        foreach (var usage in App.Definitions.SelectMany(d => d.Usages))
        {
            var names = usage.Options.Concat(CommandDefinition.GlobalOptions).Select(o => o.Name).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
        }
        // An option in two usages of one command is parsed one way in both.
        foreach (var definition in App.Definitions)
            foreach (var same in definition.Usages.SelectMany(u => u.Options).GroupBy(o => o.Name))
                Assert.Single(same.Select(o => o.Kind).Distinct());
    }
}
