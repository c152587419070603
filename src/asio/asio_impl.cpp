// The single translation unit that compiles Asio, Asio's SSL layer and Beast for the whole
// program (see asio.hpp for why). Nothing else belongs here.
#include "asio/asio.hpp"

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
