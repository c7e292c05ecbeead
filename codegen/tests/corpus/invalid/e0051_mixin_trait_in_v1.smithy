// Mixins are IDL 2.0: the `@mixin` trait alone is refused in a 1.0 file
// (here without `$version`, which means 1.0).
// expect: E0051 5:1
namespace example.invalid
@mixin
structure Base {}
