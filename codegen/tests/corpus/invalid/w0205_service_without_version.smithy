// IDL 1.0 services declare a version.
// expect: W0205 5:1
namespace example.invalid

service Empty {}
