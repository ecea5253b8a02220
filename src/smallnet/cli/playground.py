"""smallnet playground: the local server of the page where a network learns live."""

import errno
import sys
import webbrowser


def playground(args):
    from ..playground.server import serve  # the server loads only for this command

    try:
        server = serve(args.host, args.port, verbose=args.verbose)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise OSError(f"port {args.port} is in use: pick another with --port") from None
        raise OSError(f"can't serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"smallnet playground: {server.url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("smallnet playground: stopped", file=sys.stderr)
    finally:
        server.server_close()
