// Resource identifiers must target string shapes.
// expect: E0226 7:24
$version: "2"
namespace example.invalid

resource Order {
    identifiers: { id: Integer }
}
