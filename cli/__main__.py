from qed.cli.app import main

main()
