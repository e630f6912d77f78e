import ViTCommands

DataCommand.main()
