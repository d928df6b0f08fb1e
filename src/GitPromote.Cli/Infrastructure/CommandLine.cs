namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// A command line parsed once, by its command's definition, and held to it (<see cref="ArgumentReader.Validate"/>): the
/// usage given (<see cref="Form"/>), its arguments, within the counts it takes, and its options, read through their typed
/// handles in <see cref="Options"/>. What the definition requires is here; a command checks only what it alone knows.
/// </summary>
public sealed class CommandLine
{
    private readonly IReadOnlyDictionary<string, string?> _given;
    private readonly IReadOnlyDictionary<string, List<string>> _repeated;

    internal CommandLine(CommandDefinition command, CommandDefinition form, IReadOnlyList<string> positionals,
        IReadOnlyDictionary<string, string?> given, IReadOnlyDictionary<string, List<string>> repeated)
    {
        Command = command;
        Form = form;
        Positionals = positionals;
        _given = given;
        _repeated = repeated;
    }

    /// <summary>The command run (<c>install</c>).</summary>
    public CommandDefinition Command { get; }

    /// <summary>The usage given: one of <see cref="Command"/>'s forms (<c>install --server</c>, <c>hook pre-push</c>), or the command itself.</summary>
    public CommandDefinition Form { get; }

    /// <summary>The arguments of <see cref="Form"/>, in order (without the word that chose it): every required one is there.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>The usage a usage error of this command line quotes.</summary>
    public string Usage => Command.UsageOf(Form);

    public string? Positional(int index) => index < Positionals.Count ? Positionals[index] : null;

    public bool Get(FlagOption option) => _given.ContainsKey(Declared(option));

    /// <summary>The value given, read as the option reads it (which may refuse it), or what holds without it.</summary>
    public T Get<T>(ValueOption<T> option) => _given.TryGetValue(Declared(option), out var value) ? option.Read(value!) : option.Otherwise;

    /// <summary>Every value of an option that may be given more than once (<c>--remote a=x --remote b=y</c>), in order.</summary>
    public IReadOnlyList<string> Get(RepeatedOption option) => _repeated.TryGetValue(Declared(option), out var list) ? list : [];

    /// <summary>A command reading an option its usage does not declare is a bug, caught by the first test that runs it.</summary>
    private string Declared(CommandOption option) =>
        Form.FindOption(option.Name) is { } declared && declared.Name == option.Name && declared.GetType() == option.GetType()
            ? option.Name
            : throw new InvalidOperationException($"{option.Name} is not an option of git promote {Form.Name}: declare it in its definition");
}
