using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>Collects every problem of one policy file, in file order, up to a bound that keeps hostile input cheap to report.</summary>
internal sealed class PolicyErrorSink(string fileName, int maxErrors)
{
    private readonly List<PolicyError> _errors = [];
    private int _dropped;

    public bool Any => _errors.Count > 0;

    public void Add(Position at, string message)
    {
        if (_errors.Count >= maxErrors) { _dropped++; return; }
        _errors.Add(new PolicyError(fileName, at.Line, at.Column, message));
    }

    public IReadOnlyList<PolicyError> ToList()
    {
        var sorted = _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
        if (_dropped > 0)
            sorted.Add(new PolicyError(fileName, 0, 0, $"{_dropped} more errors not shown"));
        return sorted;
    }
}
