namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// One option of a command, declared once: how it is parsed (<see cref="Kind"/>), and what <c>--help</c>, the usage line
/// and the README say about it (<see cref="Description"/>, and for a value, its placeholder and what holds without it).
/// </summary>
public sealed record CommandOption(string Name, OptionKind Kind, string Description)
{
    /// <summary>The placeholder after the name in the usage line (<c>N</c>, <c>&lt;env&gt;=&lt;url&gt;</c>); null for a flag.</summary>
    public string? ValueName { get; init; }

    /// <summary>What holds when the option is not given (a value option's); a flag is off unless given.</summary>
    public string? Default { get; init; }

    /// <summary>The option must be given (revoke's <c>--reason</c>, install's <c>--server</c> form and its <c>--env</c>).</summary>
    public bool Required { get; init; }

    /// <summary>Options of one group exclude each other: the usage shows them as <c>[--global|--system]</c>.</summary>
    public string? Group { get; init; }

    /// <summary>A one-letter spelling (<c>-h</c>).</summary>
    public string? ShortName { get; init; }

    public static CommandOption Flag(string name, string description, string? group = null) =>
        new(name, OptionKind.Flag, description) { Group = group };

    /// <summary>A flag that selects a usage of its command (<c>install --server</c>).</summary>
    public static CommandOption RequiredFlag(string name, string description) =>
        new(name, OptionKind.Flag, description) { Required = true };

    public static CommandOption Value(string name, string valueName, string description, string @default) =>
        new(name, OptionKind.Value, description) { ValueName = valueName, Default = @default };

    public static CommandOption RequiredValue(string name, string valueName, string description) =>
        new(name, OptionKind.Value, description) { ValueName = valueName, Required = true };

    public static CommandOption Repeated(string name, string valueName, string description, string @default) =>
        new(name, OptionKind.RepeatedValue, description) { ValueName = valueName, Default = @default };

    /// <summary>The option as the usage line writes it, without brackets: <c>--keep N</c>.</summary>
    public string Synopsis => ValueName is null ? Name : $"{Name} {ValueName}";

    /// <summary>What --help adds after the description: the default, or that the option is required.</summary>
    public string? DefaultNote => Required ? "required" : Default is { } d ? $"default: {d}" : null;
}
