namespace GitPromote.Cli.Infrastructure;

/// <summary>A positional argument of a command: <c>&lt;env&gt;</c>, <c>[&lt;rev&gt;]</c>, <c>[&lt;env&gt;...]</c>.</summary>
public sealed record CommandArgument(string Name, string Description)
{
    public bool Optional { get; init; }

    /// <summary>May be given more than once (and then also none).</summary>
    public bool Repeated { get; init; }

    /// <summary>What holds when an optional argument is not given.</summary>
    public string? Default { get; init; }

    /// <summary>What the parser asks when a required argument is not given (<c>which environment?</c>).</summary>
    public string? Missing { get; init; }

    public static CommandArgument Required(string name, string description, string? whenMissing = null) => new(name, description) { Missing = whenMissing };

    public static CommandArgument OptionalOne(string name, string description, string @default) =>
        new(name, description) { Optional = true, Default = @default };

    public static CommandArgument Any(string name, string description, string @default) =>
        new(name, description) { Optional = true, Repeated = true, Default = @default };

    public string Synopsis => Repeated ? $"[{Name}...]" : Optional ? $"[{Name}]" : Name;
}
