// IDL 1.0: a trait whose selector does not match is a warning (E0207 in 2.0,
// see e0207_trait_not_applicable.smithy): @length on a boolean, @sensitive on a
// structure member.
// expect: W0207 9:1
// expect: W0207 13:5
$version: "1.0"
namespace example.lenient

@length(min: 1)
boolean Flag

structure Counter {
    @sensitive
    value: Integer
}
