// In a trait value, `a.b#c: v` is a shape id value followed by a stray `:`.
// expect: E0050 5:44
$version: "2.0"
namespace example.invalid
@externalDocumentation(example.invalid#home: "https://example.com")
string Name
