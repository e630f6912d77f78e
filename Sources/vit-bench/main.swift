import ViTCommands

ProcessSetup.configure()
BenchCommand.main()
