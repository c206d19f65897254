using System.Security.Cryptography;
using System.Text;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// How lists name an obligation without its id, which embeds a case-system identifier: the SHA-256,
/// in lowercase hex, of the family id, a slash and the obligation id. Stored with the obligation
/// (<c>obligations.ref</c>) so that a list pages by an index rather than hashing every row it sorts.
/// </summary>
public static class ObligationRefs
{
    public static string Of(string familyId, string obligationId)
    {
        // Hashed from a stack buffer when the two fit (they nearly always do): a rebuild makes half a million of these.
        var length = Encoding.UTF8.GetMaxByteCount(familyId.Length + 1 + obligationId.Length);
        Span<byte> text = length <= 1024 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(familyId, text);
        text[written++] = (byte)'/';
        written += Encoding.UTF8.GetBytes(obligationId, text[written..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text[..written], hash);
        return Convert.ToHexStringLower(hash);
    }
}
