$version: "2.0"

namespace example.numbers

@trait
document num

@num(0)
string Zero

@num(-12)
string Negative

@num(9223372036854775807)
string MaxLong

@num(-9223372036854775808)
string MinLong

// Beyond 64 bits: kept exactly as written.
@num(123456789012345678901234567890)
string Big

@num(-98765432109876543210)
string BigNegative

@num(1.5)
string Fraction

@num(-0.25)
string NegativeFraction

@num(1e3)
string Exponent

@num(2.5E-3)
string SmallExponent

@num(6.02e+23)
string PositiveExponent

@num([1, 2.0, -3e1])
string Mixed
