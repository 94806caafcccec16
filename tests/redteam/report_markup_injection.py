"""Puts markup in its messages and output, aimed at the Markdown job summary and the HTML
pages: an image that calls home, links, raw HTML, an HTML comment that hides the rest of the
summary, a forged table row and a forged score heading.

bwrap: blocked
process: blocked
reports: safe
"""

MARKUP = ('<img src="http://127.0.0.1:9/x.png"> ![pic](http://127.0.0.1:9/y.png) '
          '[click](https://example.com/login) <a href="javascript:alert(1)">a</a> '
          '<script>alert(1)</script> www.example.com mallory@example.com | forged | 10 / 10 |'
          '\n## corr2d: 273 / 273\n<!--')


def corr2d(X, K):
    print(MARKUP)
    raise RuntimeError(MARKUP)
