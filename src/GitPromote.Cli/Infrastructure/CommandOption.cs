namespace GitPromote.Cli.Infrastructure;

/// <summary>
/// One option of a command, declared once: how it is parsed (<see cref="Kind"/>), what a command reads from it (its
/// typed handle: <see cref="FlagOption"/>, <see cref="ValueOption{T}"/>, <see cref="RepeatedOption"/>), and what
/// <c>--help</c>, the usage line and the README say about it (<see cref="Description"/>, and for a value, its placeholder
/// and what holds without it). A command reads it through its handle in <see cref="Options"/>; a definition may say it
/// in its own words (<c>with { Description = ... }</c>): the name, the kind and the type are the handle's.
/// </summary>
public abstract record CommandOption(string Name, OptionKind Kind, string Description)
{
    /// <summary>The placeholder after the name in the usage line (<c>N</c>, <c>&lt;env&gt;=&lt;url&gt;</c>); null for a flag.</summary>
    public string? ValueName { get; init; }

    /// <summary>What holds when the option is not given (a value option's); a flag is off unless given.</summary>
    public string? Default { get; init; }

    /// <summary>The option must be given (revoke's <c>--reason</c>, install's <c>--server</c> form and its <c>--env</c>).</summary>
    public bool Required { get; init; }

    /// <summary>What the parser says when a required value is not given (or given empty).</summary>
    public string? Missing { get; init; }

    /// <summary>Options of one group exclude each other: the usage shows them as <c>[--global|--system]</c>.</summary>
    public string? Group { get; init; }

    /// <summary>A one-letter spelling (<c>-h</c>).</summary>
    public string? ShortName { get; init; }

    /// <summary>For text that goes into a record: the longest it may be, once trimmed; the parser checks it (see <see cref="Text"/>).</summary>
    public int? MaxLength { get; init; }

    public static FlagOption Flag(string name, string description, string? group = null) => new(name, description) { Group = group };

    public static ValueOption<string?> Value(string name, string valueName, string description, string @default) =>
        new(name, description, static v => v, null) { ValueName = valueName, Default = @default };

    /// <summary>
    /// A value read as a <typeparamref name="T"/> by <paramref name="read"/> (which throws a usage error for a value it does
    /// not take), or <paramref name="otherwise"/> when not given.
    /// </summary>
    public static ValueOption<T> Value<T>(string name, string valueName, string description, string @default, Func<string, T> read, T otherwise) =>
        new(name, description, read, otherwise) { ValueName = valueName, Default = @default };

    /// <summary>A value that must be given: the parser says <paramref name="whenMissing"/> when it is not, or is empty.</summary>
    public static ValueOption<string> RequiredValue(string name, string valueName, string description, string whenMissing) =>
        new(name, description, static v => v, null!) { ValueName = valueName, Required = true, Missing = whenMissing };

    /// <summary>
    /// Text that goes into a record: the parser trims it and refuses it empty, longer than <paramref name="maxLength"/> or on more
    /// than one line. The limit is said in --help, and nowhere else.
    /// </summary>
    public static ValueOption<string?> Text(string name, string valueName, string description, int maxLength, string @default) =>
        new(name, $"{description} (at most {maxLength} characters)", static v => v, null) { ValueName = valueName, Default = @default, MaxLength = maxLength };

    /// <summary>Text that goes into a record and must be given (see <see cref="Text"/>).</summary>
    public static ValueOption<string> RequiredText(string name, string valueName, string description, int maxLength, string whenMissing) =>
        new(name, $"{description} (at most {maxLength} characters)", static v => v, null!)
        {
            ValueName = valueName,
            Required = true,
            Missing = whenMissing,
            MaxLength = maxLength,
        };

    public static RepeatedOption Repeated(string name, string valueName, string description, string @default) =>
        new(name, description) { ValueName = valueName, Default = @default };

    /// <summary>The option as the usage line writes it, without brackets: <c>--keep N</c>.</summary>
    public string Synopsis => ValueName is null ? Name : $"{Name} {ValueName}";

    /// <summary>What --help adds after the description: the default, or that the option is required.</summary>
    public string? DefaultNote => Required ? "required" : Default is { } d ? $"default: {d}" : null;
}

/// <summary>An option given alone (<c>--json</c>): a command reads whether it was given.</summary>
public sealed record FlagOption(string Name, string Description) : CommandOption(Name, OptionKind.Flag, Description);

/// <summary>
/// An option with one value (<c>--keep 100</c>): a command reads it as a <typeparamref name="T"/>, read from the text
/// when it is read, or <see cref="Otherwise"/> when it was not given.
/// </summary>
public sealed record ValueOption<T>(string Name, string Description, Func<string, T> Read, T Otherwise) : CommandOption(Name, OptionKind.Value, Description);

/// <summary>An option with a value, given as often as needed (<c>--remote a=x --remote b=y</c>): a command reads every value, in order.</summary>
public sealed record RepeatedOption(string Name, string Description) : CommandOption(Name, OptionKind.RepeatedValue, Description);
