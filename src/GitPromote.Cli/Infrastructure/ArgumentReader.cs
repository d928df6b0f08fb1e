using GitPromote.Core.Policy;

namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// A small, strict command-line reader: the options a <see cref="CommandDefinition"/> declares only, anything else is a
/// usage error (with the nearest declared name, when one is near).
/// Hand-written because the binary's start-up time is part of every push.
/// </summary>
public sealed class ArgumentReader
{
    private readonly List<string> _positionals = [];
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);

    private readonly CommandDefinition _definition;

    private ArgumentReader(CommandDefinition definition) => _definition = definition;

    /// <summary>
    /// Parses <paramref name="args"/> by <paramref name="definition"/>: its options (of every usage) and the global ones,
    /// each a flag or taking the next argument (or <c>=value</c>) as its value, whatever that value looks like. A single-value
    /// option given twice is a usage error (<c>--commit given twice</c>); a repeated one keeps every value, in order.
    /// </summary>
    public static ArgumentReader Parse(IEnumerable<string> args, CommandDefinition definition)
    {
        var reader = new ArgumentReader(definition);
        using var e = args.GetEnumerator();
        var onlyPositionals = false;
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (onlyPositionals || !arg.StartsWith('-') || arg == "-")
            {
                reader._positionals.Add(arg);
                continue;
            }
            if (arg == "--") { onlyPositionals = true; continue; }
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            var option = definition.FindOption(name) ?? throw UnknownOption(arg, name, definition);
            if (option.Kind == OptionKind.Flag)
            {
                if (eq > 0) throw CommandFailedException.Usage($"option {name} takes no value", "see --help");
                reader._given[option.Name] = null;
            }
            else
            {
                string value;
                if (eq > 0) value = arg[(eq + 1)..];
                else if (e.MoveNext()) value = e.Current;
                else throw CommandFailedException.Usage($"option {name} needs a value");
                // One value means one: a second would silently win over the first (a pipeline's --commit X appended to one set earlier).
                if (option.Kind == OptionKind.Value && reader._given.ContainsKey(option.Name))
                    throw CommandFailedException.Usage($"{option.Name} given twice", $"give {option.Name} once");
                reader._given[option.Name] = value;
                (reader._repeated.TryGetValue(option.Name, out var list) ? list : reader._repeated[option.Name] = []).Add(value);
            }
        }
        return reader;
    }

    private static CommandFailedException UnknownOption(string arg, string name, CommandDefinition definition) =>
        CommandFailedException.Usage(
            KeySuggester.Nearest(name, definition.OptionNames.ToList()) is { } nearest
                ? $"unknown option '{arg}'; did you mean '{nearest}'?"
                : $"unknown option '{arg}'",
            "see --help");

    public IReadOnlyList<string> Positionals => _positionals;

    public bool Has(string name) => _given.ContainsKey(Declared(name));

    public string? Value(string name) => _given.GetValueOrDefault(Declared(name));

    /// <summary>Every value of an option that may be given more than once (<c>--remote a=x --remote b=y</c>), in order.</summary>
    public IReadOnlyList<string> Values(string name) => _repeated.TryGetValue(Declared(name), out var list) ? list : [];

    public string? Positional(int index) => index < _positionals.Count ? _positionals[index] : null;

    /// <summary>A command asking for an option its definition does not declare is a bug, caught by the first test that runs it.</summary>
    private string Declared(string name) =>
        _definition.FindOption(name) is { } option && option.Name == name
            ? name
            : throw new InvalidOperationException($"{name} is not an option of git promote {_definition.Name}: declare it in its definition");

    public ArgumentReader ExpectAtMost(int count, string usage)
    {
        if (_positionals.Count > count)
            throw CommandFailedException.Usage($"too many arguments: {string.Join(' ', _positionals.Skip(count))}", $"usage: {usage}");
        return this;
    }
}
