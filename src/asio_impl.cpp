// The one translation unit that compiles Asio and Beast (BOOST_*_SEPARATE_COMPILATION everywhere else),
// so each module's .cpp only parses their declarations: this keeps 2-core builds fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
