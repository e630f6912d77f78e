import ViTCommands

ProcessSetup.configure()
ImportCommand.main()
