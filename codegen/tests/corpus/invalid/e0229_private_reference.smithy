// Private prelude shapes cannot be referenced from other namespaces.
// expect: E0229 7:11
$version: "2"
namespace example.invalid

structure Holder {
    name: smithy.api#NonEmptyString
}
