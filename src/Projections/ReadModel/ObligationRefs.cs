using System.Security.Cryptography;
using System.Text;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// How lists name an obligation without its id, which embeds a case-system identifier: the SHA-256,
/// in lowercase hex, of the family id, a slash and the obligation id. Stored with the obligation
/// (<c>obligations.ref</c>) so that a list pages by an index rather than hashing every row it sorts.
/// </summary>
internal static class ObligationRefs
{
    public static string Of(string familyId, string obligationId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(familyId + "/" + obligationId)));
}
