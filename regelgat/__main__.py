from regelgat.cli import main

main()
