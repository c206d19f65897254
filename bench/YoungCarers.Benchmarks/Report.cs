using System.Globalization;
using System.Text;

namespace YoungCarers.Benchmarks;

/// <summary>Plain text lines of label, value and note, in aligned columns.</summary>
internal sealed class Report
{
    private const int LabelWidth = 34;
    private const int ValueWidth = 24;
    private readonly StringBuilder _text = new();

    public void Title(string title) => _text.AppendLine(title);

    public void Row(string label, string value, string note = "") =>
        _text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-LabelWidth} {value,-ValueWidth}  {note}").TrimEnd());

    public void Blank() => _text.AppendLine();

    public void WriteTo(TextWriter writer) => writer.Write(_text.ToString());
}
