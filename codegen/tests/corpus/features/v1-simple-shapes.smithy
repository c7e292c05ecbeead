// IDL 1.0: every simple shape kind, and a file without `$version`
// (which means 1.0).
namespace example.simple

blob MyBlob
boolean MyBoolean
string MyString
byte MyByte
short MyShort
integer MyInteger
long MyLong
float MyFloat
double MyDouble
bigInteger MyBigInteger
bigDecimal MyBigDecimal
timestamp MyTimestamp
document MyDocument
