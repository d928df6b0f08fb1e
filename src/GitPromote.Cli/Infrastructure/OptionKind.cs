namespace GitPromote.Cli.Infrastructure;

/// <summary>How an option is given: alone (<c>--json</c>), with one value (<c>--keep 100</c>), or with a value and as often as needed.</summary>
public enum OptionKind
{
    Flag,
    Value,
    RepeatedValue,
}
