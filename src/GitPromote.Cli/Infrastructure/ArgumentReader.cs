namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// A small, strict command-line reader: declared flags and options only, anything else is a usage error.
/// Hand-written because the binary's start-up time is part of every push.
/// </summary>
public sealed class ArgumentReader
{
    private readonly List<string> _positionals = [];
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);

    private ArgumentReader() { }

    /// <summary>Parses <paramref name="args"/> knowing which names are flags and which take a value.</summary>
    public static ArgumentReader Parse(IEnumerable<string> args, IReadOnlyCollection<string> flags, IReadOnlyCollection<string> options)
    {
        var reader = new ArgumentReader();
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
            if (flags.Contains(name) && eq < 0)
            {
                reader._given[name] = null;
            }
            else if (options.Contains(name))
            {
                string value;
                if (eq > 0) value = arg[(eq + 1)..];
                else if (e.MoveNext()) value = e.Current;
                else throw CommandFailedException.Usage($"option {name} needs a value");
                reader._given[name] = value;
                (reader._repeated.TryGetValue(name, out var list) ? list : reader._repeated[name] = []).Add(value);
            }
            else
            {
                throw CommandFailedException.Usage($"unknown option '{arg}'", "see --help");
            }
        }
        return reader;
    }

    public IReadOnlyList<string> Positionals => _positionals;

    public bool Has(string name) => _given.ContainsKey(name);

    public string? Value(string name) => _given.GetValueOrDefault(name);

    /// <summary>Every value of an option that may be given more than once (<c>--remote a=x --remote b=y</c>), in order.</summary>
    public IReadOnlyList<string> Values(string name) => _repeated.TryGetValue(name, out var list) ? list : [];

    public string? Positional(int index) => index < _positionals.Count ? _positionals[index] : null;

    public ArgumentReader ExpectAtMost(int count, string usage)
    {
        if (_positionals.Count > count)
            throw CommandFailedException.Usage($"too many arguments: {string.Join(' ', _positionals.Skip(count))}", $"usage: {usage}");
        return this;
    }
}
