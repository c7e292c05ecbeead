// A resource mixin may not have identifiers, properties, lifecycle
// operations, operations or resources.
// expect: E0232 7:1
$version: "2.0"
namespace example.invalid
@mixin
resource Base {
    identifiers: { id: String }
}
