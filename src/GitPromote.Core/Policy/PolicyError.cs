namespace GitPromote.Core.Policy;

/// <summary>One problem in a policy file, located the way editors and compilers do: <c>file:line:col: message</c>.</summary>
public sealed record PolicyError(string File, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}

public sealed class PolicyLoadResult
{
    private PolicyLoadResult(PromotionPolicy? policy, IReadOnlyList<PolicyError> errors)
    {
        Policy = policy;
        Errors = errors;
    }

    public PromotionPolicy? Policy { get; }
    public IReadOnlyList<PolicyError> Errors { get; }
    public bool IsValid => Policy is not null;

    public static PolicyLoadResult Ok(PromotionPolicy policy) => new(policy, []);
    public static PolicyLoadResult Failed(IReadOnlyList<PolicyError> errors) => new(null, errors);
}
