namespace GitPromote.Cdk;

/// <summary>One environment of the promotion path and the AWS account it lives in.</summary>
/// <param name="Name">The environment's name in <c>.promote.yml</c> (dev, stg, prd, ...).</param>
/// <param name="Account">The 12-digit id of the account that environment is vended in.</param>
public sealed record PromotionStep(string Name, string Account);
